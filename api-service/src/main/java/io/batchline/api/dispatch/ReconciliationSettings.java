package io.batchline.api.dispatch;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The stuck-item sweep, the last line of defence behind every other recovery path.
 *
 * @param interval   how often one API instance looks ({@code BATCH_RECONCILIATION_INTERVAL})
 * @param stuckAfter how long an active, fully dispatched batch may go without any recorded
 *                   result before its pending items count as lost ({@code BATCH_RECONCILIATION_STUCK_AFTER});
 *                   longer than the longest retry delay (2 min) plus a handler's time limit
 */
@ConfigurationProperties("batch.reconciliation")
@Validated
public record ReconciliationSettings(
        @DefaultValue("30s") Duration interval,
        @DefaultValue("5m") Duration stuckAfter) {
}
