package io.batchline.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The last line of defence: items of an active batch pending with nothing in flight for
 * them are found and dispatched again (or, for a stopping batch, ended), and nothing else is.
 */
class StuckItemSweepIntegrationTests extends RealServicesTest {

    private static final String OPERATION = "user.soft-delete";
    private static final Duration STUCK = Duration.ofMinutes(5);

    @Autowired
    StuckItemSweep sweep;

    private UUID submit(int items, String options) {
        StringBuilder body = new StringBuilder("{\"operation\":\"" + OPERATION + "\",\"options\":" + options + ",\"items\":[");
        for (int i = 0; i < items; i++) {
            body.append(i == 0 ? "" : ",").append("{\"userId\":\"").append(UUID.randomUUID()).append("\"}");
        }
        Answer answer = postJson("/api/batches", body.append("]}").toString());
        assertThat(answer.status()).isEqualTo(202);
        UUID batch = id(answer);
        await().atMost(Duration.ofSeconds(20)).until(() -> batch(batch).get("dispatchedItems").asInt() == items);
        return batch;
    }

    /** Takes every message off the operation's queue and returns the seqs of this batch's. */
    private List<Integer> lose(UUID batch) {
        List<Integer> seqs = new ArrayList<>();
        Message message;
        while ((message = rabbit.receive(Topology.itemQueue(OPERATION), 300)) != null) {
            if (batch.toString().equals(message.getMessageProperties().getHeaders().get(Topology.HEADER_BATCH_ID))) {
                seqs.add((Integer) message.getMessageProperties().getHeaders().get(Topology.HEADER_ITEM_SEQ));
            }
        }
        return seqs;
    }

    private void quietFor(UUID batch, Duration duration) {
        jdbc.sql("UPDATE batches SET last_progress_at = now() - make_interval(secs => :s) WHERE id = :id")
                .param("s", duration.toSeconds()).param("id", batch).update();
    }

    @Test
    void lostItemsOfAQuietBatchAreDispatchedAgainOnTheSecondLook() {
        UUID batch = submit(3, "{}");
        publishResults(ItemResult.succeeded(batch, 0, 0, 1, null));
        await().atMost(Duration.ofSeconds(20)).until(() -> batch(batch).get("counts").get("succeeded").asInt() == 1);
        assertThat(lose(batch)).containsExactly(0, 1, 2);
        quietFor(batch, Duration.ofHours(1));

        sweep.sweep(STUCK);
        assertThat(reconciled(batch)).as("first look: only a suspect").isZero();
        sweep.sweep(STUCK);
        assertThat(reconciled(batch)).isEqualTo(2);

        List<Integer> again = await().atMost(Duration.ofSeconds(20)).until(() -> lose(batch), seqs -> !seqs.isEmpty());
        assertThat(again).containsExactly(1, 2);
        publishResults(ItemResult.succeeded(batch, 1, 0, 1, null), ItemResult.succeeded(batch, 2, 0, 1, null));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(batch(batch).get("status").asString()).isEqualTo("completed"));
        assertCountersEqualItemRows(batch);
    }

    @Test
    void lostItemsOfAQuietStoppingBatchEndWithTheStopsOutcome() {
        UUID batch = submit(2, "{}");
        lose(batch);
        assertThat(postJson("/api/batches/" + batch + "/cancel", "").status()).isEqualTo(202);
        quietFor(batch, Duration.ofHours(1));
        sweep.sweep(STUCK);
        sweep.sweep(STUCK);
        assertThat(reconciled(batch)).isEqualTo(2);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(batch(batch).get("status").asString()).isEqualTo("cancelled"));
        assertThat(batch(batch).get("counts").get("cancelled").asInt()).isEqualTo(2);
        assertCountersEqualItemRows(batch);
    }

    @Test
    void aBatchThatMadeProgressRecentlyOrStillHasQueuedWorkIsLeftAlone() {
        UUID recent = submit(2, "{}");
        lose(recent);
        quietFor(recent, Duration.ofMinutes(1));
        UUID waiting = submit(2, "{}");
        quietFor(waiting, Duration.ofHours(1));
        // `waiting`'s items are still in the queue: it may just be behind other work

        sweep.sweep(STUCK);
        sweep.sweep(STUCK);
        assertThat(reconciled(recent)).isZero();
        assertThat(reconciled(waiting)).isZero();
        assertThat(lose(waiting)).containsExactly(0, 1);
        finish(recent, waiting);
    }

    @Test
    void aQuietBatchIsLeftAloneWhileItsOperationMakesProgressElsewhere() {
        UUID quiet = submit(2, "{}");
        lose(quiet);
        quietFor(quiet, Duration.ofHours(1));
        UUID busy = submit(2, "{}");
        publishResults(ItemResult.succeeded(busy, 0, 0, 1, null));
        await().atMost(Duration.ofSeconds(20)).until(() -> batch(busy).get("counts").get("succeeded").asInt() == 1);
        lose(busy);

        sweep.sweep(STUCK);
        sweep.sweep(STUCK);
        assertThat(reconciled(quiet)).as("workers may be holding its items while they work on the other batch").isZero();
        finish(quiet, busy);
    }

    /** Ends the batches so they do not count as progress of the operation in the next test. */
    private void finish(UUID... batches) {
        for (UUID batch : batches) {
            int total = batch(batch).get("totalItems").asInt();
            for (int seq = 0; seq < total; seq++) {
                publishResults(ItemResult.succeeded(batch, seq, 0, 1, null));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> List.of("completed").contains(batch(batch).get("status").asString()));
        }
    }

    private int reconciled(UUID batch) {
        return jdbc.sql("SELECT reconciled_items FROM batches WHERE id = :id").param("id", batch).query(Integer.class).single();
    }
}
