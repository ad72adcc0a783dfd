package io.batchline.api.diagnosis;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ready and unacknowledged messages and consumers of a few queues, from RabbitMQ's
 * management API (one request for the whole vhost). Where that API does not answer (no
 * management plugin, wrong credentials), a passive declare over AMQP still gives ready
 * messages and consumers, but not unacknowledged ones; where the broker does not answer at
 * all, every count is unknown. The broker counts per queue, never per batch.
 */
@Component
class BrokerQueues {

    private static final Logger log = LoggerFactory.getLogger(BrokerQueues.class);

    /** One queue as the broker sees it; a null count is unknown. */
    record QueueCounts(String queue, @Nullable Long ready, @Nullable Long unacked, @Nullable Long consumers) {
    }

    /** The counts, where they came from ({@code management-api}, {@code amqp}) and how complete they are. */
    record Reading(String status, @Nullable String source, @Nullable String detail, Map<String, QueueCounts> queues) {

        static final String OK = "ok";
        static final String PARTIAL = "partial";
        static final String UNKNOWN = "unknown";
    }

    private final DiagnosisSettings settings;
    private final AmqpAdmin rabbitAdmin;
    private final JsonMapper json;
    private final HttpClient http;

    BrokerQueues(DiagnosisSettings settings, AmqpAdmin rabbitAdmin, JsonMapper json) {
        this.settings = settings;
        this.rabbitAdmin = rabbitAdmin;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(settings.brokerTimeout()).build();
    }

    Reading read(List<String> queues) {
        try {
            return new Reading(Reading.OK, "management-api", null, fromManagementApi(queues));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.debug("RabbitMQ management API not readable: {}", e.toString());
            String managementProblem = "management API not readable (" + e.getClass().getSimpleName() + ")";
            try {
                return new Reading(Reading.PARTIAL, "amqp", managementProblem + ": unacknowledged messages unknown",
                        fromAmqp(queues));
            } catch (RuntimeException amqp) {
                log.debug("RabbitMQ not readable: {}", amqp.toString());
                Map<String, QueueCounts> unknown = new HashMap<>();
                queues.forEach(queue -> unknown.put(queue, new QueueCounts(queue, null, null, null)));
                return new Reading(Reading.UNKNOWN, null, "broker unreachable", unknown);
            }
        }
    }

    /**
     * The first management URL that answers: in a cluster every node reports every queue, so a
     * node that is down only costs the time its refusal takes.
     */
    private Map<String, QueueCounts> fromManagementApi(List<String> queues) throws Exception {
        List<String> urls = settings.managementUrls();
        if (urls.isEmpty()) {
            throw new IllegalStateException("no management URL configured");
        }
        Exception last = null;
        for (String url : urls) {
            try {
                return fromManagementApi(url, queues);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                log.debug("RabbitMQ management API at {} not readable: {}", url, e.toString());
                last = e;
            }
        }
        throw last;
    }

    private Map<String, QueueCounts> fromManagementApi(String managementUrl, List<String> queues) throws Exception {
        String vhost = URLEncoder.encode(settings.vhost(), StandardCharsets.UTF_8);
        String credentials = Base64.getEncoder().encodeToString(
                (settings.managementUser() + ":" + settings.managementPassword()).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl + "/api/queues/" + vhost
                        + "?columns=name,messages_ready,messages_unacknowledged,consumers"))
                .timeout(settings.brokerTimeout())
                .header("Authorization", "Basic " + credentials)
                .GET().build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("management API answered " + response.statusCode());
        }
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode queue : json.readTree(response.body())) {
            byName.put(queue.path("name").asString(""), queue);
        }
        Map<String, QueueCounts> counts = new HashMap<>();
        for (String queue : queues) {
            JsonNode node = byName.get(queue);
            if (node != null) {
                // a queue's message counts appear only once the broker has sampled it: missing is zero
                counts.put(queue, new QueueCounts(queue, node.path("messages_ready").asLong(0),
                        node.path("messages_unacknowledged").asLong(0), node.path("consumers").asLong(0)));
            }
        }
        return counts;
    }

    private Map<String, QueueCounts> fromAmqp(List<String> queues) {
        Map<String, QueueCounts> counts = new HashMap<>();
        for (String queue : queues) {
            Properties properties = rabbitAdmin.getQueueProperties(queue);
            if (properties != null) {
                counts.put(queue, new QueueCounts(queue, number(properties.get(RabbitAdmin.QUEUE_MESSAGE_COUNT)), null,
                        number(properties.get(RabbitAdmin.QUEUE_CONSUMER_COUNT))));
            }
        }
        return counts;
    }

    private static Long number(@Nullable Object value) {
        return value instanceof Number n ? n.longValue() : 0L;
    }
}
