package io.batchline.api.submission;

import io.batchline.api.problem.BatchRejected;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * Refuses a request body that grows past the limit while it streams in (a chunked body
 * has no Content-Length to check up front). Thrown inside the submission transaction, so
 * whatever was copied so far is rolled back.
 */
final class LimitedStream extends FilterInputStream {

    private final long limit;
    private long read;

    LimitedStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    static BatchRejected tooLarge(long limit) {
        return new BatchRejected(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Request body too large",
                "the request body is larger than " + limit + " bytes; send very large batches as several batches",
                Map.of("maxBodyBytes", limit));
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    private void count(int n) {
        read += n;
        if (read > limit) {
            throw tooLarge(limit);
        }
    }
}
