package io.batchline.worker.operations.user;

import io.batchline.model.messaging.Topology;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tells every API instance which users the user operations changed, so their lookup caches
 * drop those entries at once instead of serving them until the cache's TTL. Changes are
 * gathered and sent a few times a second on the {@code batch.users.changed} fanout (one
 * message for many users, never one per item). Best effort by design: a lost message only
 * means a stale entry until the TTL, which bounds staleness anyway.
 */
@Component
class UserChanges {

    private static final Logger log = LoggerFactory.getLogger(UserChanges.class);
    private static final int MAX_PER_MESSAGE = 5_000;

    private final ConcurrentLinkedQueue<UUID> pending = new ConcurrentLinkedQueue<>();
    private final RabbitTemplate rabbit;
    private final JsonMapper json;

    UserChanges(RabbitTemplate rabbit, JsonMapper json) {
        this.rabbit = rabbit;
        this.json = json;
    }

    /** Called by handlers once the rows are changed (their statements commit on their own). */
    void changed(Collection<UUID> userIds) {
        pending.addAll(userIds);
    }

    @Scheduled(fixedDelayString = "${worker.user-changes-flush:200ms}")
    void flush() {
        while (!pending.isEmpty()) {
            List<String> ids = new ArrayList<>();
            UUID id;
            while (ids.size() < MAX_PER_MESSAGE && (id = pending.poll()) != null) {
                ids.add(id.toString());
            }
            try {
                MessageProperties properties = new MessageProperties();
                properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
                rabbit.send(Topology.USERS_CHANGED_EXCHANGE, "", new org.springframework.amqp.core.Message(
                        json.writeValueAsBytes(Map.of("userIds", ids)), properties));
            } catch (RuntimeException e) {
                log.debug("Could not announce {} changed users (API lookup caches expire them by TTL): {}", ids.size(), e.toString());
                return;
            }
        }
    }
}
