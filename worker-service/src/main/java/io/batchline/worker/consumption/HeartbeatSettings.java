package io.batchline.worker.consumption;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The worker's heartbeat row in {@code worker.heartbeats}.
 *
 * @param interval how often the row is written ({@code WORKER_HEARTBEAT_INTERVAL}); the API calls a worker
 *                 gone when it has not been seen for 30 s, so keep this well below
 * @param keep     rows not refreshed for this long (workers long gone) are deleted by the next heartbeat
 */
@ConfigurationProperties("worker.heartbeat")
@Validated
record HeartbeatSettings(
        @DefaultValue("5s") @NotNull Duration interval,
        @DefaultValue("1h") @NotNull Duration keep) {
}
