package io.batchline.system.soak;

import java.nio.charset.StandardCharsets;

/** Independent random streams derived from one soak seed (SplitMix64 over seed and stream name). */
final class SoakSeeds {

    private SoakSeeds() {
    }

    static long derive(long seed, String stream) {
        long h = seed;
        for (byte b : stream.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ b);
        }
        return mix(h + 0x9E3779B97F4A7C15L);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
