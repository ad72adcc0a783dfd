package io.batchline.model.operations;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Create one user; the worker stores a hash of the password, never the password. */
public record UserCreateItem(
        @NotBlank @Email @Size(max = 254) String email,
        @NotBlank @Size(max = 200) String name,
        @NotBlank @Size(min = 8, max = 128) String password) implements ItemPayload {

    @Override
    public String itemKey() {
        return email;
    }

    /** Keeps the password out of logs and exception messages. */
    @Override
    public String toString() {
        return "UserCreateItem[email=" + email + ", name=" + name + ", password=***]";
    }
}
