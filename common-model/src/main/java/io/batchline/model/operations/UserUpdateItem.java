package io.batchline.model.operations;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Change the email and/or name of one user. */
public record UserUpdateItem(
        @NotNull UUID userId,
        @Email @Size(max = 254) @Nullable String email,
        @Size(min = 1, max = 200) @Nullable String name) implements ItemPayload {

    @Override
    public String itemKey() {
        return userId.toString();
    }

    @JsonIgnore
    @AssertTrue(message = "must change email or name")
    public boolean isChangingSomething() {
        return email != null || name != null;
    }
}
