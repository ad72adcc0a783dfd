package io.batchline.system.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * The seeded stream of batches a soak submits: mixed operations and sizes (10 to 5,000
 * items), planned permanent and transient failures, unknown contents and users, duplicate
 * emails, fail-fast, breaker and deadline options, and for some batches a cancel after a
 * while or retries of their failed items once they ended. Every decision is drawn from the
 * workload's own {@link Random} when the batch is generated, in order, so the n-th batch of
 * a seed is always the same batch with the same planned actions, whatever the timing.
 */
final class Workload {

    /** Content rows seeded in {@code catalog.content} before the run: {@code soak-c-0 .. soak-c-(N-1)}. */
    static final int CONTENT_ROWS = 3_000;
    /** Users seeded in {@code catalog.users} before the run (ids and emails from the seed). */
    static final int POOL_USERS = 2_000;

    private static final String[] OPERATIONS = {
        "noop", "noop", "noop", "noop", "noop", "noop", "noop", "noop", "noop",
        "content.update-price", "content.update-price", "content.update-price", "content.update-price",
        "user.create", "user.create", "user.create",
        "user.update", "user.soft-delete", "user.touch-login", "user.lookup",
    };

    /**
     * One batch and what the soak will do to it.
     *
     * @param number         1, 2, ... in the workload
     * @param operation      the batch's operation
     * @param items          how many items
     * @param idempotencyKey sent with every attempt of the submission
     * @param body           the JSON submission
     * @param summary        what is special about it, for the log
     * @param gapBeforeMs    wait before submitting it
     * @param cancelAfterMs  cancel it this long after it was accepted, or -1
     * @param retryRounds    how many times its failed items are retried once it ended with failures
     * @param retryDelayMs   wait after its end before a retry
     */
    record BatchSpec(int number, String operation, int items, String idempotencyKey, String body, String summary,
                     long gapBeforeMs, long cancelAfterMs, int retryRounds, long retryDelayMs) {
    }

    /** A user seeded before the run. */
    record PoolUser(UUID id, String email) {
    }

    private final long seed;
    private final Random random;
    private final String callbackBase;
    private final List<PoolUser> pool;
    private final List<String> createdEmails = new ArrayList<>();
    private int number;

    /**
     * @param callbackBase URL prefix of the local callback receiver; batch n calls back to {@code <base>/<n>}
     */
    Workload(long seed, String callbackBase) {
        this.seed = seed;
        this.random = new Random(SoakSeeds.derive(seed, "workload"));
        this.callbackBase = callbackBase;
        this.pool = poolUsers(seed);
    }

    /** The users to seed in {@code catalog.users}: the same for a seed. */
    static List<PoolUser> poolUsers(long seed) {
        Random catalog = new Random(SoakSeeds.derive(seed, "catalog"));
        List<PoolUser> users = new ArrayList<>(POOL_USERS);
        for (int i = 0; i < POOL_USERS; i++) {
            users.add(new PoolUser(new UUID(catalog.nextLong(), catalog.nextLong()), "pool-" + i + "@soak.test"));
        }
        return users;
    }

    List<PoolUser> pool() {
        return pool;
    }

    BatchSpec next() {
        int n = ++number;
        String operation = OPERATIONS[random.nextInt(OPERATIONS.length)];
        int size = (int) Math.round(Math.exp(Math.log(10) + random.nextDouble() * (Math.log(5_000) - Math.log(10))));
        if (operation.equals("user.create")) {
            size = Math.min(size, 1_000);
        }
        List<String> notes = new ArrayList<>();
        StringBuilder options = new StringBuilder();
        option(options, "callbackUrl", "\"" + callbackBase + "/" + n + "\"");
        if (random.nextInt(4) == 0) {
            int maxAttempts = 2 + random.nextInt(2);
            option(options, "maxAttempts", String.valueOf(maxAttempts));
            notes.add("maxAttempts=" + maxAttempts);
        }
        int mode = random.nextInt(100);
        boolean deadline = false;
        if (mode < 10) {
            option(options, "continueOnError", "false");
            notes.add("fail-fast");
        } else if (mode < 20) {
            double rate = new double[] {0.02, 0.05, 0.1, 0.3}[random.nextInt(4)];
            int minItems = new int[] {10, 50, 100}[random.nextInt(3)];
            option(options, "maxFailureRate", String.valueOf(rate));
            option(options, "minItemsBeforeBreaker", String.valueOf(minItems));
            notes.add("breaker=" + rate + "/" + minItems);
        } else if (mode < 30) {
            int seconds = 2 + random.nextInt(14);
            option(options, "timeoutSeconds", String.valueOf(seconds));
            notes.add("deadline=" + seconds + "s");
            deadline = true;
        }

        StringBuilder items = new StringBuilder(size * 64);
        switch (operation) {
            case "noop" -> noopItems(items, size, deadline, notes);
            case "content.update-price" -> priceItems(items, size, notes);
            case "user.create" -> createItems(items, n, size, notes);
            case "user.update" -> updateItems(items, n, size, notes);
            case "user.lookup" -> lookupItems(items, size);
            default -> refItems(items, size);
        }

        // most batches take a few seconds: cancel mostly early, while items are in flight
        long cancelAfterMs = random.nextInt(100) < 15 ? 100 + random.nextInt(random.nextBoolean() ? 3_000 : 12_000) : -1;
        int retryRounds = random.nextInt(100) < 35 ? 1 + (random.nextInt(4) == 0 ? 1 : 0) : 0;
        long retryDelayMs = random.nextInt(5_000);
        long gapBeforeMs = 1_000 + random.nextInt(3_000);
        if (cancelAfterMs >= 0) {
            notes.add(String.format(Locale.ROOT, "cancel@%.1fs", cancelAfterMs / 1000.0));
        }
        if (retryRounds > 0) {
            notes.add("retry×" + retryRounds);
        }
        String body = "{\"operation\":\"" + operation + "\",\"options\":{" + options + "},\"metadata\":{\"soakSeed\":" + seed
                + ",\"soakBatch\":" + n + "},\"items\":[" + items + "]}";
        String summary = operation + " " + size + " items" + (notes.isEmpty() ? "" : " " + String.join(" ", notes));
        return new BatchSpec(n, operation, size, "soak-" + seed + "-" + n, body, summary, gapBeforeMs, cancelAfterMs,
                retryRounds, retryDelayMs);
    }

    private static void option(StringBuilder options, String name, String value) {
        if (!options.isEmpty()) {
            options.append(',');
        }
        options.append('"').append(name).append("\":").append(value);
    }

    private static void separator(StringBuilder items) {
        if (!items.isEmpty()) {
            items.append(',');
        }
    }

    private void noopItems(StringBuilder items, int size, boolean deadline, List<String> notes) {
        // a chunk's items wait concurrently, so only long delays make a short deadline bite
        int delayMs = deadline ? new int[] {200, 500, 1_000}[random.nextInt(3)] : new int[] {0, 0, 1, 2, 5, 20, 100}[random.nextInt(7)];
        Double failRate = random.nextInt(100) < 35 ? new double[] {0.01, 0.05, 0.1, 0.2, 0.5}[random.nextInt(5)] : null;
        double transientShare = random.nextInt(100) < 25 ? new double[] {0.02, 0.1, 0.3}[random.nextInt(3)] : 0;
        notes.add("delay=" + delayMs + "ms");
        if (failRate != null) {
            notes.add("failRate=" + failRate);
        }
        if (transientShare > 0) {
            notes.add("failAttempts-share=" + transientShare);
        }
        for (int i = 0; i < size; i++) {
            separator(items);
            items.append("{\"key\":\"n").append(i).append('"');
            if (delayMs > 0) {
                items.append(",\"delayMs\":").append(delayMs);
            }
            if (failRate != null) {
                items.append(",\"failRate\":").append(failRate);
            }
            if (transientShare > 0 && random.nextDouble() < transientShare) {
                // mostly 1-2 failed attempts (1 s and 5 s retry tiers), rarely 3 (the 30 s tier)
                int failAttempts = random.nextInt(10) == 0 ? 3 : 1 + random.nextInt(2);
                items.append(",\"failAttempts\":").append(failAttempts);
            }
            items.append('}');
        }
    }

    private void priceItems(StringBuilder items, int size, List<String> notes) {
        int unknown = 0;
        for (int i = 0; i < size; i++) {
            separator(items);
            String contentId;
            if (random.nextInt(100) < 5) {
                contentId = "soak-missing-" + random.nextInt(1_000_000);
                unknown++;
            } else {
                contentId = "soak-c-" + random.nextInt(CONTENT_ROWS);
            }
            int cents = random.nextInt(10_000_000);
            items.append("{\"contentId\":\"").append(contentId).append("\",\"newPrice\":")
                    .append(cents / 100).append('.').append(String.format(Locale.ROOT, "%02d", cents % 100)).append('}');
        }
        notes.add("unknownContents=" + unknown);
    }

    private void createItems(StringBuilder items, int n, int size, List<String> notes) {
        int duplicates = 0;
        List<String> thisBatch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            separator(items);
            String email;
            int roll = random.nextInt(100);
            if (roll < 2) {
                email = pool.get(random.nextInt(pool.size())).email();
                duplicates++;
            } else if (roll < 4 && !createdEmails.isEmpty()) {
                email = createdEmails.get(random.nextInt(createdEmails.size()));
                duplicates++;
            } else if (roll < 5 && !thisBatch.isEmpty()) {
                email = thisBatch.get(random.nextInt(thisBatch.size())).toUpperCase(Locale.ROOT);
                duplicates++;
            } else {
                email = "u-" + Long.toHexString(seed) + "-" + n + "-" + i + "@soak.test";
            }
            thisBatch.add(email);
            items.append("{\"email\":\"").append(email).append("\",\"name\":\"Soak user ").append(n).append('-').append(i)
                    .append("\",\"password\":\"").append(password()).append("\"}");
        }
        createdEmails.addAll(thisBatch.subList(0, Math.min(thisBatch.size(), 200)));
        notes.add("duplicateEmails≈" + duplicates);
    }

    private String password() {
        StringBuilder password = new StringBuilder("pw-");
        for (int i = 0; i < 10; i++) {
            password.append((char) ('a' + random.nextInt(26)));
        }
        return password.toString();
    }

    private UUID someUser() {
        return random.nextInt(100) < 5 ? new UUID(random.nextLong(), random.nextLong()) : pool.get(random.nextInt(pool.size())).id();
    }

    private void updateItems(StringBuilder items, int n, int size, List<String> notes) {
        for (int i = 0; i < size; i++) {
            separator(items);
            items.append("{\"userId\":\"").append(someUser()).append('"');
            int roll = random.nextInt(100);
            if (roll < 3) {
                items.append(",\"email\":\"").append(pool.get(random.nextInt(pool.size())).email()).append('"');
            } else if (roll < 20) {
                items.append(",\"email\":\"upd-").append(Long.toHexString(seed)).append('-').append(n).append('-').append(i)
                        .append("@soak.test\"");
            }
            if (roll >= 10) {
                items.append(",\"name\":\"Renamed ").append(n).append('-').append(i).append('"');
            }
            items.append('}');
        }
        notes.add("unknownUsers≈5%");
    }

    private void refItems(StringBuilder items, int size) {
        for (int i = 0; i < size; i++) {
            separator(items);
            items.append("{\"userId\":\"").append(someUser()).append("\"}");
        }
    }

    private void lookupItems(StringBuilder items, int size) {
        for (int i = 0; i < size; i++) {
            separator(items);
            if (random.nextBoolean()) {
                items.append("{\"userId\":\"").append(someUser()).append("\"}");
            } else {
                String email = random.nextInt(100) < 5 ? "nobody-" + random.nextInt(1_000_000) + "@soak.test"
                        : pool.get(random.nextInt(pool.size())).email();
                items.append("{\"email\":\"").append(email).append("\"}");
            }
        }
    }
}
