package io.batchline.api.query;

import io.batchline.api.problem.BatchRejected;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * Opaque keyset cursors: the sort key of the last row of a page, so the next page starts
 * with an index seek and page 1,000 costs what page 1 costs.
 */
final class Cursor {

    private Cursor() {
    }

    static String ofSeq(int seq) {
        return encode("s:" + seq);
    }

    static int seq(String cursor) {
        String value = decode(cursor);
        try {
            if (value.startsWith("s:")) {
                return Integer.parseInt(value.substring(2));
            }
        } catch (NumberFormatException e) {
            // falls through to the rejection below
        }
        throw invalid();
    }

    /** Position of a batch in newest-first order. */
    record BatchKey(Instant createdAt, UUID id) {
    }

    static String ofBatch(Instant createdAt, UUID id) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, createdAt);
        return encode("b:" + micros + ":" + id);
    }

    /** The latest instant a batch cursor may name (9999-12-31T23:59:59.999999Z); none before the epoch. */
    private static final long MAX_MICROS = 253_402_300_799_999_999L;

    static BatchKey batch(String cursor) {
        String[] parts = decode(cursor).split(":");
        try {
            long micros = parts.length == 3 ? Long.parseLong(parts[1]) : -1;
            // beyond this range PostgreSQL's timestamp has no value for it: a forged cursor, not a 500
            if (parts[0].equals("b") && micros >= 0 && micros <= MAX_MICROS) {
                return new BatchKey(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), UUID.fromString(parts[2]));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the rejection below
        }
        throw invalid();
    }

    private static String encode(String raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
    }

    private static BatchRejected invalid() {
        return BatchRejected.badRequest("invalid-cursor", "Invalid cursor", "cursor is not one this API handed out");
    }
}
