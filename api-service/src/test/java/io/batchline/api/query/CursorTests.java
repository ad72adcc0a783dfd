package io.batchline.api.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.api.problem.BatchRejected;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
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
    void batchCursorOutsideTheTimestampRangeIsABadRequest() {
        UUID id = UUID.randomUUID();
        for (String micros : List.of("-1", "-9223372036854775808", "9223372036854775807", "253402300800000000")) {
            String forged = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(("b:" + micros + ":" + id).getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> Cursor.batch(forged)).as(micros).isInstanceOf(BatchRejected.class);
        }
        Instant last = Instant.parse("9999-12-31T23:59:59.999999Z");
        assertThat(Cursor.batch(Cursor.ofBatch(last, id))).isEqualTo(new Cursor.BatchKey(last, id));
    }

    @Test
    void forgedCursorIsABadRequest() {
        assertThatThrownBy(() -> Cursor.seq("!!notbase64")).isInstanceOf(BatchRejected.class);
        assertThatThrownBy(() -> Cursor.batch(Cursor.ofSeq(3))).isInstanceOf(BatchRejected.class);
    }
}
