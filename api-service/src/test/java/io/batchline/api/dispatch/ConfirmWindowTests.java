package io.batchline.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ConfirmWindowTests {

    @Test
    void watermarkIsTheLowestUnconfirmedItem() {
        ConfirmWindow window = new ConfirmWindow(10);
        for (int i = 0; i < 5; i++) {
            window.publishing(100 + i, 40 + i);
        }
        window.handleAck(101, true);
        assertThat(window.watermark(45)).isEqualTo(42);
        window.handleAck(103, false);
        assertThat(window.watermark(45)).isEqualTo(42);
        window.handleAck(102, false);
        assertThat(window.watermark(45)).isEqualTo(44);
        window.handleAck(104, false);
        assertThat(window.watermark(45)).isEqualTo(45);
    }

    @Test
    void confirmArrivingRightAfterPublishIsNotLost() throws Exception {
        ConfirmWindow window = new ConfirmWindow(10);
        window.publishing(1, 0);
        window.handleAck(1, false);
        window.drain(100);
        assertThat(window.watermark(1)).isEqualTo(1);
    }

    @Test
    void nackFailsTheRunAndKeepsTheWatermarkBelowTheRefusedItem() {
        ConfirmWindow window = new ConfirmWindow(10);
        for (int i = 0; i < 4; i++) {
            window.publishing(1 + i, 10 + i);
        }
        window.handleNack(2, false);
        // later confirms settle everything else, including tags above and below the refused one
        window.handleAck(4, true);
        assertThat(window.watermark(14)).isEqualTo(11);
        assertThatThrownBy(() -> window.drain(100)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> window.awaitRoom(100)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void multipleNackKeepsTheWatermarkBelowTheLowestRefusedItem() {
        ConfirmWindow window = new ConfirmWindow(10);
        for (int i = 0; i < 4; i++) {
            window.publishing(1 + i, 10 + i);
        }
        window.handleAck(1, false);
        window.handleNack(3, true);
        window.handleAck(4, false);
        assertThat(window.watermark(14)).isEqualTo(11);
    }

    /**
     * The dispatcher takes the watermark after a chunk's last {@code awaitRoom}; a nack that
     * lands in between must not let the watermark pass the refused item (it would never be
     * published again when the dispatch resumes).
     */
    @Test
    void nackLandingAfterTheLastAwaitRoomStillHoldsTheWatermark() throws Exception {
        ConfirmWindow window = new ConfirmWindow(10);
        window.publishing(1, 10);
        window.publishing(2, 11);
        window.awaitRoom(100);
        window.handleNack(1, false);
        window.handleAck(2, false);
        assertThat(window.watermark(12)).isEqualTo(10);
    }

    @Test
    void missingConfirmsTimeOut() {
        ConfirmWindow window = new ConfirmWindow(10);
        window.publishing(1, 0);
        assertThatThrownBy(() -> window.drain(50)).isInstanceOf(TimeoutException.class);
    }
}
