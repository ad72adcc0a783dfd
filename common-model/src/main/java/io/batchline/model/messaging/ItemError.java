package io.batchline.model.messaging;

/** Why an item did not succeed: a stable machine-readable code and a message for people. */
public record ItemError(String code, String message) {
}
