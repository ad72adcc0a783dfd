package io.batchline.system.soak;

import java.util.List;

/**
 * What a soak found: the counts of the RESULT line and every violation, each naming its batch
 * and, where one is to blame, its item.
 *
 * @param lost                 items not terminal at the end (pending, or missing altogether)
 * @param doubleCounted        batches whose counters differ from count(*) of their item rows per status (or do not add up to total)
 * @param changedAfterTerminal batches whose status or counts changed after they were first seen terminal (without a retry by the soak)
 * @param stuck                batches not terminal at the end
 * @param queueLeftovers       queues other than the dead-letter queues that still hold messages
 * @param deadLetterMismatches dead letters of an item whose row (in the dead letter's round) is not {@code failed}
 * @param deadResults          result messages in {@code batch.dead.results}
 * @param callbackMismatches   ended batches whose last delivered callback is missing or differs from the final counts
 * @param unknownBatches       batches of the soak's tenant that no accepted submission named (stored twice?)
 * @param unaccepted           submissions that never got their 202 (refused, or still failing when the soak gave up)
 */
public record SoakReport(long seed, String minutes, int batches, long items, int faults, long lost, int doubleCounted,
                         int changedAfterTerminal, int stuck, int queueLeftovers, int deadLetterMismatches, int deadResults,
                         int callbackMismatches, int unknownBatches, int unaccepted, List<Violation> violations) {

    /** One broken promise. */
    public record Violation(String kind, String batch, Integer seq, String message) {

        @Override
        public String toString() {
            return kind + " batch=" + (batch == null ? "-" : batch) + (seq == null ? "" : " seq=" + seq) + ": " + message;
        }
    }

    public boolean passed() {
        return violations.isEmpty();
    }

    public String resultLine() {
        return "RESULT seed=" + seed + " minutes=" + minutes + " batches=" + batches + " items=" + items + " faults=" + faults
                + " lost=" + lost + " double_counted=" + doubleCounted + " changed_after_terminal=" + changedAfterTerminal
                + " stuck=" + stuck + " queue_leftovers=" + queueLeftovers + " dead_letter_mismatches=" + deadLetterMismatches
                + " dead_results=" + deadResults + " callback_mismatches=" + callbackMismatches + " unknown_batches=" + unknownBatches
                + " unaccepted=" + unaccepted;
    }
}
