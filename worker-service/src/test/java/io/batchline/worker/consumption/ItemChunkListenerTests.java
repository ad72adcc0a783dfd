package io.batchline.worker.consumption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.operations.NoopItem;
import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import io.batchline.worker.ratelimit.GlobalRateLimiter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rules of one chunk's way from delivery to acknowledgement, without a broker: an
 * outage holds the chunk (no requeue, so no delivery budget is spent on it), a bug returns
 * it to its queue.
 */
class ItemChunkListenerTests {

    private final Channel channel = mock(Channel.class);
    private final ChunkPublisher publisher = mock(ChunkPublisher.class);
    private final StoppedBatches stoppedBatches = mock(StoppedBatches.class);
    private final UUID batch = UUID.randomUUID();

    private WorkerSettings settings(Duration maxHold) {
        return new WorkerSettings(250, 2, 100, Duration.ofMillis(50), Duration.ofSeconds(5), List.of(), Map.of(),
                Duration.ofSeconds(5), false, "", Duration.ofMillis(5), Duration.ofMillis(20), maxHold,
                Duration.ZERO);
    }

    private ItemChunkListener<NoopItem> listener(OperationHandler<NoopItem> handler, Duration maxHold) {
        when(stoppedBatches.verdicts(any())).thenReturn(Map.of());
        return new ItemChunkListener<>(handler, true, publisher, stoppedBatches, new BatchConcurrency(), mock(ActivityNotes.class), new WorkerActivity(),
                mock(GlobalRateLimiter.class),
                new HandlerRun<>(handler, Executors.newVirtualThreadPerTaskExecutor(), Duration.ofSeconds(5)),
                settings(maxHold), JsonMapper.builder().build(), new SimpleMeterRegistry(), io.batchline.support.tracing.ItemTracing.off());
    }

    private static OperationHandler<NoopItem> handler(java.util.function.Supplier<List<ItemOutcome>> outcomes) {
        return new OperationHandler<>() {
            @Override
            public Operation<NoopItem> operation() {
                return Operations.NOOP;
            }

            @Override
            public List<ItemOutcome> handle(List<WorkItem<NoopItem>> items) {
                return outcomes.get();
            }
        };
    }

    private List<Message> chunk(int n) {
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            MessageProperties properties = new MessageProperties();
            ItemHeaders item = new ItemHeaders(batch, i, 0, 1, 5, "noop");
            item.toMap().forEach(properties::setHeader);
            properties.setMessageId(item.messageId());
            properties.setDeliveryTag(10 + i);
            messages.add(new Message("{}".getBytes(), properties));
        }
        return messages;
    }

    @Test
    void publishFailingWhileTheBrokerIsAwayIsRetriedNotRequeued() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        org.mockito.Mockito.doAnswer(call -> {
            if (calls.incrementAndGet() <= 3) {
                throw new AmqpConnectException(new ConnectException("broker restarting"));
            }
            return null;
        }).when(publisher).publishConfirmed(any(), any(), any());

        listener(handler(() -> List.of(ItemOutcome.succeeded(null), ItemOutcome.succeeded(null))), Duration.ofMinutes(1))
                .onMessageBatch(chunk(2), channel);

        assertThat(calls).hasValue(4);
        verify(channel).basicAck(11, true);
        verify(channel, never()).basicNack(anyLong(), anyBoolean(), anyBoolean());
        verify(channel, never()).basicReject(anyLong(), anyBoolean());
    }

    @Test
    void handlerFailingBecauseTheDatabaseIsDownIsHeldAndRunAgainWithoutUsingAnAttempt() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        OperationHandler<NoopItem> handler = handler(() -> {
            if (runs.incrementAndGet() <= 2) {
                throw new org.springframework.jdbc.CannotGetJdbcConnectionException("no connection",
                        new SQLTransientConnectionException("pool timed out"));
            }
            return List.of(ItemOutcome.succeeded(null));
        });
        List<List<ItemResult>> published = new ArrayList<>();
        org.mockito.Mockito.doAnswer(call -> {
            published.add(call.getArgument(0));
            return null;
        }).when(publisher).publishConfirmed(any(), any(), any());

        listener(handler, Duration.ofMinutes(1)).onMessageBatch(chunk(1), channel);

        assertThat(runs).hasValue(3);
        assertThat(published).hasSize(1);
        assertThat(published.getFirst().getFirst().attempt()).as("the outage used no attempt").isEqualTo(1);
        verify(channel).basicAck(10, true);
        verify(channel, never()).basicNack(anyLong(), anyBoolean(), anyBoolean());
    }

    @SuppressWarnings("unchecked")
    @Test
    void chunkHeldLongerThanMaxHoldGoesBackAsNewMessagesThenIsAcknowledged() throws Exception {
        List<List<Outgoing>> handedBack = new ArrayList<>();
        org.mockito.Mockito.doAnswer(call -> {
            List<ItemResult> results = call.getArgument(0);
            if (!results.isEmpty()) {
                throw new AmqpConnectException(new ConnectException("still away"));
            }
            handedBack.add(call.getArgument(1));
            return null;
        }).when(publisher).publishConfirmed(any(), any(), any());

        listener(handler(() -> List.of(ItemOutcome.succeeded(null), ItemOutcome.succeeded(null))), Duration.ofMillis(100))
                .onMessageBatch(chunk(2), channel);

        assertThat(handedBack).hasSize(1);
        assertThat(handedBack.getFirst()).extracting(o -> o.message().getMessageProperties().getMessageId())
                .containsExactly(batch + ":0:1", batch + ":1:1");
        verify(channel).basicAck(11, true);
        verify(channel, never()).basicNack(anyLong(), anyBoolean(), anyBoolean());
    }

    @Test
    void aBugIsNotAnOutageTheChunkGoesBackToItsQueue() throws Exception {
        org.mockito.Mockito.doThrow(new IllegalStateException("a bug")).when(publisher).publishConfirmed(any(), any(), any());

        listener(handler(() -> List.of(ItemOutcome.succeeded(null))), Duration.ofMinutes(1)).onMessageBatch(chunk(1), channel);

        verify(channel).basicNack(10, true, true);
        verify(channel, never()).basicAck(anyLong(), anyBoolean());
        verify(publisher, times(1)).publishConfirmed(any(), any(), any());
    }

    @Test
    void itemsOfAStoppingRoundAreReportedWithoutRunning() throws Exception {
        when(stoppedBatches.verdicts(any())).thenReturn(Map.of(batch, new StoppedBatches.Verdict(0, StoppedBatches.Kind.STOPPING,
                io.batchline.model.status.StopOutcome.of(io.batchline.model.status.BatchStatus.CANCELLED), "cancelled", 0)));
        AtomicInteger runs = new AtomicInteger();
        ItemChunkListener<NoopItem> listener = new ItemChunkListener<>(handler(() -> {
            runs.incrementAndGet();
            return List.of();
        }), true, publisher, stoppedBatches, new BatchConcurrency(), mock(ActivityNotes.class), new WorkerActivity(),
                mock(GlobalRateLimiter.class),
                new HandlerRun<>(handler(List::of), Executors.newVirtualThreadPerTaskExecutor(), Duration.ofSeconds(5)),
                settings(Duration.ofMinutes(1)), JsonMapper.builder().build(), new SimpleMeterRegistry(), io.batchline.support.tracing.ItemTracing.off());
        List<List<ItemResult>> published = new ArrayList<>();
        org.mockito.Mockito.doAnswer(call -> {
            published.add(call.getArgument(0));
            return null;
        }).when(publisher).publishConfirmed(any(), any(), any());

        listener.onMessageBatch(chunk(3), channel);

        assertThat(runs).hasValue(0);
        assertThat(published.getFirst()).extracting(ItemResult::status)
                .containsOnly(io.batchline.model.status.ItemStatus.CANCELLED).hasSize(3);
        verify(channel).basicAck(eq(12L), eq(true));
    }

    @Test
    void aRetryingNoteNamesTheDelayTierAndWhenTheItemIsDue() throws Exception {
        when(stoppedBatches.verdicts(any())).thenReturn(Map.of());
        JsonMapper json = JsonMapper.builder().build();
        org.springframework.amqp.rabbit.core.RabbitTemplate rabbit = mock(org.springframework.amqp.rabbit.core.RabbitTemplate.class);
        List<org.springframework.amqp.core.Message> sentNotes = new ArrayList<>();
        org.mockito.Mockito.doAnswer(call -> sentNotes.add(call.getArgument(2))).when(rabbit)
                .send(org.mockito.ArgumentMatchers.anyString(), org.mockito.ArgumentMatchers.anyString(),
                        org.mockito.ArgumentMatchers.any(org.springframework.amqp.core.Message.class));
        ActivityNotes notes = new ActivityNotes(rabbit, json, settings(Duration.ofMinutes(1)));
        OperationHandler<NoopItem> handler = handler(() -> List.of(ItemOutcome.retryableFailure("http.503", "503 from the target"),
                ItemOutcome.succeeded(null)));
        ItemChunkListener<NoopItem> listener = new ItemChunkListener<>(handler, true, publisher, stoppedBatches, new BatchConcurrency(),
                notes, new WorkerActivity(), mock(GlobalRateLimiter.class), new HandlerRun<>(handler, Executors.newVirtualThreadPerTaskExecutor(), Duration.ofSeconds(5)),
                settings(Duration.ofMinutes(1)), json, new SimpleMeterRegistry(), io.batchline.support.tracing.ItemTracing.off());
        List<Outgoing> outgoing = new ArrayList<>();
        org.mockito.Mockito.doAnswer(call -> {
            outgoing.addAll(call.getArgument(1));
            return null;
        }).when(publisher).publishConfirmed(any(), any(), any());
        java.time.Instant before = java.time.Instant.now();

        listener.onMessageBatch(chunk(2), channel);

        // notes go out after the acknowledgement, best effort, not with the chunk's confirmed messages
        assertThat(outgoing).noneMatch(o -> o.routingKey().equals(io.batchline.model.messaging.Topology.ACTIVITY_ROUTING_KEY));
        assertThat(sentNotes).hasSize(1);
        io.batchline.model.messaging.ItemActivity activity = json.readValue(sentNotes.getFirst().getBody(),
                io.batchline.model.messaging.ItemActivity.class);
        assertThat(activity.kind()).isEqualTo(io.batchline.model.messaging.ItemActivity.Kind.RETRYING);
        assertThat(activity.items()).hasSize(1);
        io.batchline.model.messaging.ItemActivity.Item item = activity.items().getFirst();
        assertThat(item.seq()).isZero();
        assertThat(item.attempt()).as("the attempt that failed").isEqualTo(1);
        assertThat(item.error().code()).isEqualTo("http.503");
        assertThat(item.retryTier()).as("attempt 1 waits in batch.retry.1s").isEqualTo("1s");
        assertThat(item.retryDueAt()).isBetween(before.plusSeconds(1), java.time.Instant.now().plusSeconds(1));
        assertThat(outgoing).anySatisfy(o -> assertThat(o.exchange()).isEqualTo("batch.retry.1s"));
    }

    @Test
    void aNoteFromAnOlderWorkerWithoutRetryFactsStillReads() {
        String old = "{\"kind\":\"RETRYING\",\"worker\":\"w/1\",\"at\":\"2026-11-25T13:20:00Z\",\"items\":[{\"batchId\":\""
                + batch + "\",\"seq\":3,\"round\":0,\"attempt\":2,\"error\":{\"code\":\"x\",\"message\":\"y\"}}]}";
        io.batchline.model.messaging.ItemActivity note = JsonMapper.builder().build().readValue(old,
                io.batchline.model.messaging.ItemActivity.class);
        assertThat(note.items().getFirst().retryTier()).isNull();
        assertThat(note.items().getFirst().retryDueAt()).isNull();
        assertThat(note.items().getFirst().attempt()).isEqualTo(2);
    }
    @Test
    void aStopThatComesWhileSlicesRunEndsTheSlicesNotYetRun() throws Exception {
        // a batch with chunkSize 1: its three items are three handler calls, one after another
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            MessageProperties properties = new MessageProperties();
            ItemHeaders item = new ItemHeaders(batch, i, 0, 1, 5, "noop", new ItemHeaders.BatchTraits("t", 1, 0));
            item.toMap().forEach(properties::setHeader);
            properties.setMessageId(item.messageId());
            properties.setDeliveryTag(10 + i);
            messages.add(new Message("{}".getBytes(), properties));
        }
        AtomicInteger runs = new AtomicInteger();
        ItemChunkListener<NoopItem> listener = listener(handler(() -> {
            runs.incrementAndGet();
            // the cancel arrives while the first slice runs
            when(stoppedBatches.verdicts(any())).thenReturn(Map.of(batch, new StoppedBatches.Verdict(0,
                    StoppedBatches.Kind.STOPPING, io.batchline.model.status.StopOutcome.of(io.batchline.model.status.BatchStatus.CANCELLED),
                    "cancelled on request", System.nanoTime())));
            return List.of(ItemOutcome.succeeded(null));
        }), Duration.ofMinutes(1));
        List<ItemResult> published = new ArrayList<>();
        org.mockito.Mockito.doAnswer(call -> {
            published.addAll(call.getArgument(0));
            return null;
        }).when(publisher).publishConfirmed(any(), any(), any());

        listener.onMessageBatch(messages, channel);

        assertThat(runs).hasValue(1);
        assertThat(published).extracting(r -> r.seq() + ":" + r.status().wireName())
                .containsExactlyInAnyOrder("0:succeeded", "1:cancelled", "2:cancelled");
        verify(channel).basicAck(12, true);
    }
}
