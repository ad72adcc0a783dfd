package io.batchline.api.dispatch;

/**
 * How many items one message carries. Every message costs the broker a persistent write, a
 * confirm, a delivery and an acknowledgement whatever its size, so packing consecutive items
 * cuts its work per item by the pack size. But a pack goes to one consumer as a whole, and
 * its items run one slice after another there, so a batch is still spread over at least
 * {@link #SPREAD} messages of the work it keeps in flight at its measured pace (or of what is
 * left of it): a small batch and a slow one keep one item per message and reach as many
 * consumers as before. (A batch whose pace is not measured yet counts its whole window, the
 * floor: a slow batch may send its first window in packs.)
 */
final class PackSize {

    /** Messages a batch's window (or its rest) is spread over at least, while it has the items. */
    static final int SPREAD = 32;

    private PackSize() {
    }

    /**
     * The items per message for a batch that keeps {@code inFlight} items in flight (its
     * window, or less at its measured pace) and has {@code remaining} still to publish.
     */
    static int of(int maxPack, int inFlight, int remaining) {
        return Math.max(1, Math.min(maxPack, Math.min(inFlight, remaining) / SPREAD));
    }
}
