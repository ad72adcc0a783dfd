package io.batchline.api.diagnosis;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code GET /api/batches/{id}/diagnosis}.
 *
 * @param handlerTimeout     the workers' handler time limit as the API assumes it
 *                           ({@code BATCH_DIAGNOSIS_HANDLER_TIMEOUT}; keep it equal to {@code WORKER_HANDLER_TIMEOUT}):
 *                           an item announced as running for longer is reported past it
 * @param managementUrl      RabbitMQ's management API ({@code BATCH_DIAGNOSIS_MANAGEMENT_URL}; by default port
 *                           15672 of {@code RABBITMQ_HOST}), read with the AMQP user and vhost for ready and
 *                           unacknowledged messages per queue; for a cluster, the nodes' URLs comma-separated,
 *                           tried in order (every node answers for the whole cluster)
 * @param managementUser     its user (default {@code RABBITMQ_USER})
 * @param managementPassword its password (default {@code RABBITMQ_PASSWORD})
 * @param vhost              the vhost whose queues are read (default {@code RABBITMQ_VHOST})
 * @param brokerTimeout      longest wait for the broker; then its part of the answer says unknown
 */
@ConfigurationProperties("batch.diagnosis")
@Validated
record DiagnosisSettings(
        @DefaultValue("30s") @NotNull Duration handlerTimeout,
        @DefaultValue("http://localhost:15672") @NotNull String managementUrl,
        @DefaultValue("guest") @NotNull String managementUser,
        @DefaultValue("guest") @NotNull String managementPassword,
        @DefaultValue("/") @NotNull String vhost,
        @DefaultValue("2s") @NotNull Duration brokerTimeout) {

    /** The management URLs to try, in order, without a trailing slash. */
    java.util.List<String> managementUrls() {
        return java.util.Arrays.stream(managementUrl.split(","))
                .map(String::strip)
                .filter(url -> !url.isEmpty())
                .map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url)
                .toList();
    }
}
