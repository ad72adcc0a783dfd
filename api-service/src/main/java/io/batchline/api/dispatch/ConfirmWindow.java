package io.batchline.api.dispatch;

import com.rabbitmq.client.ConfirmListener;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tracks the publisher confirms of one dispatch run on one channel. Items are published in
 * sequence order, so every item below the lowest still-unconfirmed one is safely in the
 * broker: that is the watermark that may be stored. At most {@code size} messages are in
 * flight; a nack fails the run (it is resumed from the stored watermark), and the nacked
 * item stays below the watermark for good, whatever confirms arrive after it.
 */
final class ConfirmWindow implements ConfirmListener {

    /** publish sequence number -> item seq, for messages not yet confirmed */
    private final ConcurrentNavigableMap<Long, Integer> unconfirmed = new ConcurrentSkipListMap<>();
    private final int size;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** the lowest item seq the broker refused, or MAX_VALUE */
    private volatile int lowestNacked = Integer.MAX_VALUE;

    ConfirmWindow(int size) {
        this.size = size;
    }

    /**
     * Records a message before it is published (its confirm may arrive before
     * {@code basicPublish} even returns).
     */
    void publishing(long publishSeqNo, int itemSeq) {
        unconfirmed.put(publishSeqNo, itemSeq);
    }

    /** Blocks while the window is full. */
    void awaitRoom(long timeoutMillis) throws TimeoutException, InterruptedException {
        awaitAtMost(size, timeoutMillis);
    }

    /** Waits until every published message is confirmed. */
    void drain(long timeoutMillis) throws TimeoutException, InterruptedException {
        awaitAtMost(0, timeoutMillis);
    }

    /**
     * The lowest item seq not confirmed (still unconfirmed, or refused), or
     * {@code nextUnpublished} when all are. A nack only ever lowers it: the refused item is
     * kept below the watermark even though it leaves the unconfirmed set.
     */
    int watermark(int nextUnpublished) {
        int nackedBelow = lowestNacked;
        var first = unconfirmed.firstEntry();
        int unconfirmedBelow = first == null ? nextUnpublished : first.getValue();
        return Math.min(Math.min(unconfirmedBelow, nackedBelow), nextUnpublished);
    }

    private void awaitAtMost(int outstanding, long timeoutMillis) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (unconfirmed.size() > outstanding) {
                failIfNacked();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException(unconfirmed.size() + " messages not confirmed within " + timeoutMillis + " ms");
                }
                changed.awaitNanos(left);
            }
            failIfNacked();
        } finally {
            lock.unlock();
        }
    }

    private void failIfNacked() {
        if (lowestNacked != Integer.MAX_VALUE) {
            throw new IllegalStateException("the broker refused (nacked) a published item");
        }
    }

    @Override
    public void handleAck(long deliveryTag, boolean multiple) {
        settle(deliveryTag, multiple);
    }

    @Override
    public void handleNack(long deliveryTag, boolean multiple) {
        // remember the refused items before they leave the unconfirmed set, so a watermark
        // taken at any moment after this never passes them
        var refused = multiple ? unconfirmed.headMap(deliveryTag, true).values() : java.util.Optional
                .ofNullable(unconfirmed.get(deliveryTag)).stream().toList();
        int lowest = refused.stream().mapToInt(Integer::intValue).min().orElse(Integer.MAX_VALUE);
        synchronized (this) {
            // a refused tag the window no longer knows: nothing of this run counts as confirmed
            lowestNacked = Math.min(lowestNacked, lowest == Integer.MAX_VALUE ? 0 : lowest);
        }
        settle(deliveryTag, multiple);
    }

    private void settle(long deliveryTag, boolean multiple) {
        if (multiple) {
            unconfirmed.headMap(deliveryTag, true).clear();
        } else {
            unconfirmed.remove(deliveryTag);
        }
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
