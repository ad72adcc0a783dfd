package io.batchline.cli.config;

import io.batchline.cli.CliFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config file: INI-style {@code [profile]} sections of {@code key = value} lines;
 * {@code #} and {@code ;} start comment lines. Lines before the first section belong to
 * {@code default}.
 */
public record ConfigFile(Path path, Map<String, Map<String, String>> profiles) {

    public static ConfigFile absent(Path path) {
        return new ConfigFile(path, Map.of());
    }

    public static ConfigFile read(Path path) {
        if (!Files.isRegularFile(path)) {
            return absent(path);
        }
        try {
            return parse(path, Files.readAllLines(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw CliFailure.usage("cannot read the config file " + path + ": " + e.getMessage());
        }
    }

    static ConfigFile parse(Path path, List<String> lines) {
        Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
        String section = "default";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).strip();
                profiles.computeIfAbsent(section, s -> new LinkedHashMap<>());
                continue;
            }
            int equals = line.indexOf('=');
            if (equals <= 0) {
                // the line may hold a key: never echo it
                throw CliFailure.usage(path + " line " + (i + 1) + ": expected [profile] or key = value");
            }
            profiles.computeIfAbsent(section, s -> new LinkedHashMap<>())
                    .put(line.substring(0, equals).strip().toLowerCase(java.util.Locale.ROOT), line.substring(equals + 1).strip());
        }
        return new ConfigFile(path, profiles);
    }

    /** Where the config file is: BATCHLINE_CONFIG, else $XDG_CONFIG_HOME/batchline/config, else ~/.config/batchline/config. */
    public static Path location(Map<String, String> environment) {
        String explicit = environment.get("BATCHLINE_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = environment.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("batchline").resolve("config");
    }
}
