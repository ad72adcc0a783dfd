package io.batchline.cli.config;

/**
 * The connection settings in force and where each came from. {@link #toString()} masks the
 * key, so a settings object can be logged or printed without leaking it.
 */
public record Settings(String url, String urlSource, String apiKey, String apiKeySource, String profile) {

    public boolean hasApiKey() {
        return apiKey != null && !apiKey.isEmpty();
    }

    /** The key as a config view shows it: never the key itself. */
    public String maskedApiKey() {
        return hasApiKey() ? "******** (" + apiKey.length() + " characters)" : "(none)";
    }

    @Override
    public String toString() {
        return "Settings[url=" + url + " (" + urlSource + "), apiKey=" + maskedApiKey() + " (" + apiKeySource + "), profile=" + profile + "]";
    }
}
