package io.batchline.api.dispatch;

/**
 * How many items one message carries. Every message costs the broker a persistent write, a
 * confirm, a delivery and an acknowledgement whatever its size, so packing consecutive items
 * cuts its work per item by the pack size. But a pack goes to one consumer as a whole, so a
 * batch is still spread over at least {@link #SPREAD} messages, of its window or of what is
 * left of it: a small batch (or a slow one, whose window is small) keeps one item per
 * message and reaches as many consumers as before.
 */
final class PackSize {

    /** Messages a batch's window (or its rest) is spread over at least, while it has the items. */
    static final int SPREAD = 32;

    private PackSize() {
    }

    /** The items per message for a batch with this window and this many items still to publish. */
    static int of(int maxPack, int window, int remaining) {
        return Math.max(1, Math.min(maxPack, Math.min(window, remaining) / SPREAD));
    }
}
