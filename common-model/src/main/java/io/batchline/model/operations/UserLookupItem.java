package io.batchline.model.operations;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Size;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Read one user, by id or by email (exactly one of them). */
public record UserLookupItem(@Nullable UUID userId, @Email @Size(max = 254) @Nullable String email) implements ItemPayload {

    @Override
    public @Nullable String itemKey() {
        return userId != null ? userId.toString() : email;
    }

    @JsonIgnore
    @AssertTrue(message = "give exactly one of userId and email")
    public boolean isNamingOneUser() {
        return (userId == null) != (email == null);
    }
}
