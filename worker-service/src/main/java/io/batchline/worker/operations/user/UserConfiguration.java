package io.batchline.worker.operations.user;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.validation.annotation.Validated;

/** How user passwords are hashed. */
@Configuration(proxyBeanMethods = false)
class UserConfiguration {

    /** @param bcryptStrength BCrypt cost factor ({@code WORKER_BCRYPT_STRENGTH}); each +1 doubles the work */
    @ConfigurationProperties("worker.users")
    @Validated
    record Settings(@DefaultValue("10") @Min(4) @Max(16) int bcryptStrength) {
    }

    @Bean
    PasswordEncoder passwordEncoder(Settings settings) {
        return new BCryptPasswordEncoder(settings.bcryptStrength());
    }
}
