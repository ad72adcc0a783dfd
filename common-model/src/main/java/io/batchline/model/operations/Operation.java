package io.batchline.model.operations;

/**
 * An operation a batch can run: its name (the routing key and queue suffix) and the record
 * its items must match.
 *
 * @param lenient true when unknown item fields are allowed (and kept), false when they are
 *                an error
 */
public record Operation<P extends ItemPayload>(String name, Class<P> payloadType, boolean lenient) {
}
