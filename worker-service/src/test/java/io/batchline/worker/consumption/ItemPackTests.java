package io.batchline.worker.consumption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.model.operations.NoopItem;
import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.model.status.ItemStatus;
import io.batchline.support.tracing.ItemTracing;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import io.batchline.worker.ratelimit.GlobalRateLimiter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.databind.json.JsonMapper;

/**
 * A message may carry several items of one batch (a pack): a worker splits it into its
 * items, runs each as if it had come alone, and every message it sends about one of them
 * (retry, dead letter, isolation) carries that item alone, with its own body.
 */
class ItemPackTests {

    private final Channel channel = mock(Channel.class);
    private final ChunkPublisher publisher = mock(ChunkPublisher.class);
    private final StoppedBatches stoppedBatches = mock(StoppedBatches.class);
    private final JsonMapper json = JsonMapper.builder().build();
    private final UUID batch = UUID.randomUUID();
    private final List<ItemResult> results = new ArrayList<>();
    private final List<Outgoing> outgoing = new ArrayList<>();
    private final List<WorkItem<NoopItem>> handled = new ArrayList<>();

    ItemPackTests() {
        when(stoppedBatches.verdicts(any())).thenReturn(Map.of());
        doAnswer(call -> {
            results.addAll(call.getArgument(0));
            outgoing.addAll(call.getArgument(1));
            return null;
        }).when(publisher).publishConfirmed(any(), any(), any());
    }

    private ItemChunkListener<NoopItem> listener(boolean isolation, Function<WorkItem<NoopItem>, ItemOutcome> outcome) {
        OperationHandler<NoopItem> handler = new OperationHandler<>() {
            @Override
            public Operation<NoopItem> operation() {
                return Operations.NOOP;
            }

            @Override
            public List<ItemOutcome> handle(List<WorkItem<NoopItem>> items) {
                synchronized (handled) {
                    handled.addAll(items);
                }
                return items.stream().map(outcome).toList();
            }
        };
        WorkerSettings settings = new WorkerSettings(250, 2, 100, Duration.ofMillis(50), Duration.ofSeconds(5), List.of(), Map.of(),
                Duration.ofSeconds(5), false, "", Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMinutes(1), Duration.ZERO);
        return new ItemChunkListener<>(handler, isolation, publisher, stoppedBatches, new BatchConcurrency(), mock(ActivityNotes.class),
                new WorkerActivity(), mock(GlobalRateLimiter.class),
                new HandlerRun<>(handler, Executors.newVirtualThreadPerTaskExecutor(), Duration.ofSeconds(5)),
                settings, json, new SimpleMeterRegistry(), ItemTracing.off());
    }

    /** A pack as the dispatcher publishes it: the seqs in a header, the payloads as a JSON array. */
    private Message pack(long tag, int attempt, List<Integer> seqs, String body) {
        ItemHeaders first = new ItemHeaders(batch, seqs.getFirst(), 0, attempt, 5, "noop", new ItemHeaders.BatchTraits("acme", 0, 0));
        MessageProperties properties = new MessageProperties();
        first.toPackMap(seqs).forEach(properties::setHeader);
        properties.setHeader(Topology.HEADER_TRACE_PARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
        properties.setMessageId(first.packMessageId(seqs.getLast()));
        properties.setDeliveryTag(tag);
        return new Message(body.getBytes(StandardCharsets.UTF_8), properties);
    }

    private Message single(long tag, int seq) {
        ItemHeaders item = new ItemHeaders(batch, seq, 0, 1, 5, "noop");
        MessageProperties properties = new MessageProperties();
        item.toMap().forEach(properties::setHeader);
        properties.setMessageId(item.messageId());
        properties.setDeliveryTag(tag);
        return new Message(("{\"tag\":\"single-" + seq + "\"}").getBytes(StandardCharsets.UTF_8), properties);
    }

    private static String payloads(List<Integer> seqs) {
        return seqs.stream().map(seq -> "{\"tag\":\"item-" + seq + "\"}").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }

    @Test
    void everyItemOfAPackRunsWithItsOwnSeqAndPayloadBesideSingleItemMessages() throws Exception {
        List<Integer> seqs = List.of(3, 4, 7);
        listener(false, item -> ItemOutcome.succeeded(null))
                .onMessageBatch(List.of(pack(20, 1, seqs, payloads(seqs)), single(21, 9)), channel);

        assertThat(handled).extracting(item -> item.seq() + "=" + item.raw().get("tag").asString())
                .containsExactly("3=item-3", "4=item-4", "7=item-7", "9=single-9");
        assertThat(handled).allSatisfy(item -> assertThat(item.attempt()).isEqualTo(1));
        assertThat(handled.subList(0, 3)).allSatisfy(item -> assertThat(item.tenant()).isEqualTo("acme"));
        assertThat(results).extracting(r -> r.seq() + ":" + r.status().wireName())
                .containsExactly("3:succeeded", "4:succeeded", "7:succeeded", "9:succeeded");
        assertThat(outgoing).isEmpty();
        verify(channel).basicAck(21, true);
    }

    @Test
    void aRetryOrDeadLetterOfOneItemOfAPackCarriesThatItemAlone() throws Exception {
        List<Integer> seqs = List.of(0, 1, 2);
        listener(false, item -> switch (item.seq()) {
            case 1 -> ItemOutcome.retryableFailure("http.503", "503 from the target");
            case 2 -> ItemOutcome.permanentFailure("bad", "refused for good");
            default -> ItemOutcome.succeeded(null);
        }).onMessageBatch(List.of(pack(5, 1, seqs, payloads(seqs))), channel);

        assertThat(results).extracting(r -> r.seq() + ":" + r.status().wireName()).containsExactly("0:succeeded", "2:failed");
        assertThat(outgoing).singleElement().satisfies(retry -> {
            assertThat(retry.exchange()).isEqualTo("batch.retry.1s");
            assertSingleItem(retry.message(), 1, 2, "{\"tag\":\"item-1\"}");
            assertThat(retry.message().getMessageProperties().getHeaders()).containsKey(Topology.HEADER_LAST_ERROR);
        });
        verify(channel).basicAck(5, true);
    }

    @Test
    void aPackDeliveredAgainOnTheMainQueueGoesBackAsSingleItemsToBeIsolatedIfTheyCrashAgain() throws Exception {
        List<Integer> seqs = List.of(10, 11, 12, 13);
        Message redelivered = pack(8, 2, seqs, payloads(seqs));
        redelivered.getMessageProperties().setRedelivered(true);

        listener(false, item -> ItemOutcome.succeeded(null)).onMessageBatch(List.of(redelivered), channel);

        assertThat(handled).as("nothing runs on the main queue after a crash").isEmpty();
        assertThat(results).isEmpty();
        assertThat(outgoing).hasSize(4).allSatisfy(o -> {
            assertThat(o.exchange()).isEqualTo(Topology.ITEMS_EXCHANGE);
            assertThat(o.routingKey()).isEqualTo("noop");
        });
        for (int i = 0; i < seqs.size(); i++) {
            assertSingleItem(outgoing.get(i).message(), seqs.get(i), 2, "{\"tag\":\"item-" + seqs.get(i) + "\"}");
        }
        verify(channel).basicAck(8, true);

        // one of them crashes its worker again: delivered again as a single item, it is isolated
        outgoing.clear();
        Message again = single(9, 11);
        again.getMessageProperties().setRedelivered(true);
        listener(false, item -> ItemOutcome.succeeded(null)).onMessageBatch(List.of(again), channel);
        assertThat(outgoing).singleElement().satisfies(o -> assertThat(o.routingKey()).isEqualTo(Topology.isolationQueue("noop")));
        assertThat(handled).isEmpty();
    }

    @Test
    void aPackWhoseBodyDoesNotHoldItsItemsFailsEachItemAsUnreadable() throws Exception {
        List<Integer> seqs = List.of(0, 1, 2);
        for (String body : List.of("[{\"tag\":\"only-one\"}]", "not json", "{\"tag\":\"an object\"}")) {
            results.clear();
            outgoing.clear();
            listener(false, item -> ItemOutcome.succeeded(null)).onMessageBatch(List.of(pack(1, 1, seqs, body)), channel);

            assertThat(handled).as(body).isEmpty();
            assertThat(results).as(body).extracting(r -> r.seq() + ":" + r.status().wireName() + ":" + r.error().code())
                    .containsExactly("0:failed:unreadable_payload", "1:failed:unreadable_payload", "2:failed:unreadable_payload");
            assertThat(outgoing).as("a dead-letter copy of each, for an operator").hasSize(3)
                    .allSatisfy(o -> assertThat(o.exchange()).isEqualTo(Topology.DEAD_EXCHANGE));
            for (int i = 0; i < seqs.size(); i++) {
                assertSingleItem(outgoing.get(i).message(), seqs.get(i), 1, null);
            }
        }
    }

    @Test
    void aMessageWhosePackSeqsAreUnreadableNamesNoItemAndIsDeadLettered() throws Exception {
        Message broken = pack(4, 1, List.of(0, 1), payloads(List.of(0, 1)));
        broken.getMessageProperties().setHeader(Topology.HEADER_PACK_SEQS, List.of("zero", "one"));

        listener(false, item -> ItemOutcome.succeeded(null)).onMessageBatch(List.of(broken), channel);

        verify(channel).basicNack(4, false, false);
        verify(channel, never()).basicAck(anyLong(), anyBoolean());
        assertThat(handled).isEmpty();
    }

    private void assertSingleItem(Message message, int seq, int attempt, String body) {
        Map<String, Object> headers = message.getMessageProperties().getHeaders();
        assertThat(headers).doesNotContainKey(Topology.HEADER_PACK_SEQS);
        assertThat(ItemHeaders.readAll(headers)).singleElement().satisfies(item -> {
            assertThat(item.batchId()).isEqualTo(batch);
            assertThat(item.seq()).isEqualTo(seq);
            assertThat(item.attempt()).isEqualTo(attempt);
            assertThat(item.traits().tenant()).isEqualTo("acme");
        });
        assertThat(message.getMessageProperties().getMessageId()).isEqualTo(batch + ":" + seq + ":" + attempt);
        assertThat(headers).containsKey(Topology.HEADER_TRACE_PARENT);
        if (body != null) {
            assertThat(json.readTree(message.getBody())).isEqualTo(json.readTree(body));
        }
    }
}
