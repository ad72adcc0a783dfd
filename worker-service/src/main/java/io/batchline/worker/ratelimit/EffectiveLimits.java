package io.batchline.worker.ratelimit;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which limit is in force for each operation: an admin's override if there is one, else
 * {@code WORKER_RATE_LIMITS}, else none. Every worker computes the same answer from the same
 * two inputs (its environment and the overrides table), so every replica limits alike.
 */
record EffectiveLimits(Map<String, RateLimit> limits, Set<String> overridden) {

    static final EffectiveLimits NONE = new EffectiveLimits(Map.of(), Set.of());

    EffectiveLimits {
        limits = Map.copyOf(limits);
        overridden = Set.copyOf(overridden);
    }

    /** Overrides win, operation by operation; an operation with neither has no limit. */
    static EffectiveLimits of(Map<String, RateLimit> environment, Map<String, RateLimit> overrides) {
        Map<String, RateLimit> limits = new TreeMap<>(environment);
        limits.putAll(overrides);
        return new EffectiveLimits(limits, overrides.keySet());
    }

    Optional<RateLimit> of(String operation) {
        return Optional.ofNullable(limits.get(operation));
    }

    String sourceOf(String operation) {
        return overridden.contains(operation) ? "override" : limits.containsKey(operation) ? "env" : "none";
    }

    /** Operations whose limit is added, changed or removed in {@code next}, in name order. */
    Set<String> changedIn(EffectiveLimits next) {
        Set<String> changed = new TreeSet<>();
        for (String operation : union(limits.keySet(), next.limits.keySet())) {
            if (!of(operation).equals(next.of(operation))) {
                changed.add(operation);
            }
        }
        return changed;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
