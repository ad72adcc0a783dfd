package io.batchline.model.operations;

import jakarta.validation.constraints.NotNull;
import java.util.UUID;

/** An item that names one user by id (soft delete, touch login). */
public record UserRefItem(@NotNull UUID userId) implements ItemPayload {

    @Override
    public String itemKey() {
        return userId.toString();
    }
}
