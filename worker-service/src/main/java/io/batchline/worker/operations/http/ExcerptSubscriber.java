package io.batchline.worker.operations.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads at most {@code max} bytes of an answer's body, then cancels the rest (the connection
 * is closed rather than drained), so a huge or endless body costs neither memory nor time.
 */
final class ExcerptSubscriber implements HttpResponse.BodySubscriber<ExcerptSubscriber.Excerpt> {

    /** The first bytes of a body, and whether there was more. */
    record Excerpt(byte[] bytes, boolean truncated) {
    }

    private final int max;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<Excerpt> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    ExcerptSubscriber(int max) {
        this.max = max;
    }

    @Override
    public CompletionStage<Excerpt> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            int room = max - bytes.size();
            int take = Math.min(room, buffer.remaining());
            byte[] chunk = new byte[take];
            buffer.get(chunk);
            bytes.write(chunk, 0, take);
            if (buffer.hasRemaining()) {
                subscription.cancel();
                result.complete(new Excerpt(bytes.toByteArray(), true));
                return;
            }
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable error) {
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        result.complete(new Excerpt(bytes.toByteArray(), false));
    }
}
