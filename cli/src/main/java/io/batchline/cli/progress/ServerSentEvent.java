package io.batchline.cli.progress;

/** One server-sent event: its id (may be null), name and data (lines joined with \n). */
public record ServerSentEvent(String id, String event, String data) {
}
