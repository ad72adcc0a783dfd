package io.batchline.api.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.api.problem.BatchRejected;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CursorTests {

    @Test
    void batchCursorRoundTripsToTheMicrosecond() {
        Instant at = Instant.parse("2026-11-24T10:15:30.123456Z");
        UUID id = UUID.randomUUID();
        assertThat(Cursor.batch(Cursor.ofBatch(at, id))).isEqualTo(new Cursor.BatchKey(at, id));
    }

    @Test
    void itemCursorRoundTrips() {
        assertThat(Cursor.seq(Cursor.ofSeq(4711))).isEqualTo(4711);
    }

    @Test
    void forgedCursorIsABadRequest() {
        assertThatThrownBy(() -> Cursor.seq("!!notbase64")).isInstanceOf(BatchRejected.class);
        assertThatThrownBy(() -> Cursor.batch(Cursor.ofSeq(3))).isInstanceOf(BatchRejected.class);
    }
}
