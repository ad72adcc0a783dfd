package io.batchline.worker.operations.crash;

import io.batchline.model.operations.ItemPayload;

import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** An item of the test-only {@code test.crash} operation: {@code crash: true} halts the worker. */
record CrashItem(boolean crash, @Size(max = 128) @Nullable String key) implements ItemPayload {

    @Override
    public @Nullable String itemKey() {
        return key;
    }
}
