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
    void nackFailsTheRun() {
        ConfirmWindow window = new ConfirmWindow(10);
        window.publishing(1, 0);
        window.handleNack(1, false);
        assertThatThrownBy(() -> window.drain(100)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void missingConfirmsTimeOut() {
        ConfirmWindow window = new ConfirmWindow(10);
        window.publishing(1, 0);
        assertThatThrownBy(() -> window.drain(50)).isInstanceOf(TimeoutException.class);
    }
}
