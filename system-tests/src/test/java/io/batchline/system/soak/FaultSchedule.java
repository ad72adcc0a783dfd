package io.batchline.system.soak;

import java.util.Random;

/**
 * The seeded sequence of faults: one at a time, each after a random gap. Every fault is
 * drawn from the schedule's own {@link Random} (derived from the seed and nothing else) with
 * the same number of draws, so the n-th fault of a seed is always the same, however the
 * run's timing went.
 */
final class FaultSchedule {

    /** What a fault does. */
    enum Kind {
        KILL_WORKER("kill -9 a worker"),
        TERM_WORKER("SIGTERM a worker"),
        KILL_API("kill -9 the API"),
        TERM_API("SIGTERM the API"),
        BROKER_OUTAGE("stop and start RabbitMQ"),
        DATABASE_OUTAGE("stop and start PostgreSQL");

        final String description;

        Kind(String description) {
            this.description = description;
        }
    }

    /**
     * One fault.
     *
     * @param number 1, 2, ... in the schedule
     * @param gapMs  wait after the previous fault ended
     * @param kind   what it does
     * @param worker which worker (index) for worker faults
     * @param downMs how long the broker or database stays down
     */
    record Fault(int number, long gapMs, Kind kind, int worker, long downMs) {

        String describe() {
            return "#" + number + " " + kind.description + switch (kind) {
                case KILL_WORKER, TERM_WORKER -> " (worker-" + (worker + 1) + ")";
                case BROKER_OUTAGE, DATABASE_OUTAGE -> " (down " + downMs / 1000.0 + " s)";
                default -> "";
            };
        }
    }

    private static final Kind[] WEIGHTED = {
        Kind.KILL_WORKER, Kind.KILL_WORKER, Kind.KILL_WORKER,
        Kind.TERM_WORKER, Kind.TERM_WORKER,
        Kind.KILL_API, Kind.KILL_API,
        Kind.TERM_API,
        Kind.BROKER_OUTAGE, Kind.BROKER_OUTAGE,
        Kind.DATABASE_OUTAGE, Kind.DATABASE_OUTAGE,
    };

    private final Random random;
    private final int workers;
    private int number;

    FaultSchedule(long seed, int workers) {
        this.random = new Random(SoakSeeds.derive(seed, "faults"));
        this.workers = workers;
    }

    /** The next fault; always the same five draws, so later faults never depend on earlier timing. */
    Fault next() {
        long gapMs = 10_000 + random.nextInt(30_001);
        Kind kind = WEIGHTED[random.nextInt(WEIGHTED.length)];
        int worker = random.nextInt(workers);
        long brokerDownMs = 5_000 + random.nextInt(25_001);
        long databaseDownMs = 5_000 + random.nextInt(55_001);
        long downMs = switch (kind) {
            case BROKER_OUTAGE -> brokerDownMs;
            case DATABASE_OUTAGE -> databaseDownMs;
            default -> 0;
        };
        return new Fault(++number, gapMs, kind, worker, downMs);
    }
}
