package io.batchline.cli.config;

import io.batchline.cli.CliFailure;
import java.util.Map;

/**
 * One rule for every setting: a flag wins over the environment, the environment over the
 * profile in the config file, the profile over the built-in default.
 */
public final class SettingsResolver {

    public static final String DEFAULT_URL = "http://localhost:8080";

    private final Map<String, String> environment;

    public SettingsResolver(Map<String, String> environment) {
        this.environment = environment;
    }

    public Settings resolve(String urlFlag, String apiKeyFlag, String profileFlag) {
        String profileEnv = environment.get("BATCHLINE_PROFILE");
        boolean profileNamed = present(profileFlag) || present(profileEnv);
        String profile = present(profileFlag) ? profileFlag : present(profileEnv) ? profileEnv : "default";
        ConfigFile file = ConfigFile.read(ConfigFile.location(environment));
        Map<String, String> section = file.profiles().get(profile);
        if (section == null) {
            if (profileNamed && !profile.equals("default")) {
                throw CliFailure.usage("no profile [" + profile + "] in " + file.path()
                        + (file.profiles().isEmpty() ? " (the file is missing or empty)" : "; it has " + file.profiles().keySet()));
            }
            section = Map.of();
        }
        String profileSource = "profile " + profile + " in " + file.path();

        String url;
        String urlSource;
        if (present(urlFlag)) {
            url = urlFlag;
            urlSource = "--url";
        } else if (present(environment.get("BATCHLINE_URL"))) {
            url = environment.get("BATCHLINE_URL");
            urlSource = "BATCHLINE_URL";
        } else if (present(section.get("url"))) {
            url = section.get("url");
            urlSource = profileSource;
        } else {
            url = DEFAULT_URL;
            urlSource = "default";
        }

        String key = null;
        String keySource = "none";
        if (present(apiKeyFlag)) {
            key = apiKeyFlag;
            keySource = "--api-key";
        } else if (present(environment.get("BATCHLINE_API_KEY"))) {
            key = environment.get("BATCHLINE_API_KEY");
            keySource = "BATCHLINE_API_KEY";
        } else if (present(section.get("api_key"))) {
            key = section.get("api_key");
            keySource = profileSource;
        }
        return new Settings(stripTrailingSlash(url), urlSource, key, keySource, profile);
    }

    private static String stripTrailingSlash(String url) {
        String trimmed = url.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
