package io.batchline.api.dispatch;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How much larger than its paced window a batch's dispatch window is: its tenant's weight
 * ({@code BATCH_DISPATCH_TENANT_WEIGHTS}, parsed once at start-up) times its {@code priority}
 * over the default priority.
 */
final class WindowScale {

    private static final int DEFAULT_PRIORITY = 5;

    private final Map<String, Double> weights;

    WindowScale(String tenantWeights) {
        this.weights = parse(tenantWeights);
    }

    /** The scale of a batch of {@code tenant} with {@code priority} (1-10). */
    double of(@Nullable String tenant, int priority) {
        double weight = tenant == null ? 1.0 : weights.getOrDefault(tenant, 1.0);
        return weight * priority / DEFAULT_PRIORITY;
    }

    /** A window scaled: at least one item. */
    static int scaled(int window, double scale) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(window * scale)));
    }

    /** {@code tenant=weight,…}, each weight above 0 and at most 1000. */
    static Map<String, Double> parse(String spec) {
        Map<String, Double> weights = new HashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.lastIndexOf('=');
            try {
                double weight = Double.parseDouble(entry.substring(eq + 1).trim());
                if (eq <= 0 || !(weight > 0) || weight > 1000) {
                    throw new NumberFormatException();
                }
                weights.put(entry.substring(0, eq).trim(), weight);
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("BATCH_DISPATCH_TENANT_WEIGHTS: '" + entry.trim()
                        + "' is not tenant=weight with a weight above 0 and at most 1000");
            }
        }
        return Map.copyOf(weights);
    }
}
