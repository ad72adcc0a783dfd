package io.batchline.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.cli.CliFailure;
import io.batchline.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsResolverTests {

    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void configFile() throws IOException {
        Path file = dir.resolve("config");
        Files.writeString(file, """
                # comments and blank lines are fine
                [default]
                url = http://default.example:8080/
                api_key = bl_profile_default

                [staging]
                url = https://staging.example
                api_key = bl_profile_staging
                """);
        env.put("BATCHLINE_CONFIG", file.toString());
    }

    private Settings resolve(String url, String key, String profile) {
        return new SettingsResolver(env).resolve(url, key, profile);
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheProfile() {
        env.put("BATCHLINE_URL", "http://env.example");
        env.put("BATCHLINE_API_KEY", "bl_env");
        Settings flags = resolve("http://flag.example", "bl_flag", null);
        assertThat(flags.url()).isEqualTo("http://flag.example");
        assertThat(flags.apiKey()).isEqualTo("bl_flag");
        assertThat(flags.urlSource()).isEqualTo("--url");

        Settings environment = resolve(null, null, null);
        assertThat(environment.url()).isEqualTo("http://env.example");
        assertThat(environment.apiKey()).isEqualTo("bl_env");
        assertThat(environment.apiKeySource()).isEqualTo("BATCHLINE_API_KEY");

        env.remove("BATCHLINE_URL");
        env.remove("BATCHLINE_API_KEY");
        Settings profile = resolve(null, null, null);
        assertThat(profile.url()).isEqualTo("http://default.example:8080");
        assertThat(profile.apiKey()).isEqualTo("bl_profile_default");
        assertThat(profile.apiKeySource()).startsWith("profile default in ");
    }

    @Test
    void eachSettingFallsBackOnItsOwn() {
        env.put("BATCHLINE_API_KEY", "bl_env");
        Settings settings = resolve(null, null, "staging");
        assertThat(settings.url()).isEqualTo("https://staging.example");
        assertThat(settings.apiKey()).isEqualTo("bl_env");
    }

    @Test
    void theProfileComesFromTheFlagElseTheEnvironment() {
        env.put("BATCHLINE_PROFILE", "staging");
        assertThat(resolve(null, null, null).apiKey()).isEqualTo("bl_profile_staging");
        assertThat(resolve(null, null, "default").apiKey()).isEqualTo("bl_profile_default");
    }

    @Test
    void anUnknownProfileIsAUsageErrorThatNeverShowsAKey() {
        assertThatThrownBy(() -> resolve(null, null, "prod"))
                .isInstanceOfSatisfying(CliFailure.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
                .hasMessageContaining("no profile [prod]").hasMessageContaining("[default, staging]")
                .hasMessageNotContaining("bl_profile");
    }

    @Test
    void withoutAnyConfigurationTheDefaultUrlAndNoKey() {
        env.put("BATCHLINE_CONFIG", dir.resolve("missing").toString());
        Settings settings = resolve(null, null, null);
        assertThat(settings.url()).isEqualTo(SettingsResolver.DEFAULT_URL);
        assertThat(settings.hasApiKey()).isFalse();
    }

    @Test
    void theKeyIsMaskedWhereverSettingsArePrinted() {
        Settings settings = resolve(null, "bl_secret_value", null);
        assertThat(settings.toString()).doesNotContain("bl_secret_value");
        assertThat(settings.maskedApiKey()).doesNotContain("secret").contains("15 characters");
    }

    @Test
    void aLineThatIsNeitherSectionNorSettingIsRefusedWithoutEchoingIt() throws IOException {
        Files.writeString(dir.resolve("config"), "[default]\nbl_pasted_key_without_name\n");
        assertThatThrownBy(() -> resolve(null, null, null)).hasMessageContaining("line 2")
                .hasMessageNotContaining("bl_pasted_key_without_name");
    }
}
