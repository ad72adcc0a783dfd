package io.batchline.api.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.core.Ordered;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

/** Wires the API-key filter, the {@link Caller} parameter and the bootstrap admin key. */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration implements WebMvcConfigurer {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    /**
     * @param bootstrapAdminKey an admin key registered at start-up ({@code BATCH_BOOTSTRAP_ADMIN_KEY}),
     *                          the first key of a fresh installation
     */
    @ConfigurationProperties("batch.security")
    record Settings(String bootstrapAdminKey) {
    }

    @Bean
    FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(ApiKeys keys, ConsoleSessions sessions, JsonMapper json) {
        FilterRegistrationBean<ApiKeyFilter> registration = new FilterRegistrationBean<>(new ApiKeyFilter(keys, sessions, json));
        // the seeds' user-batch endpoints (seed 003) live outside /api, under the same keys
        registration.addUrlPatterns("/api/*", "/batch/*", "/ui", "/ui/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }

    @Bean
    ApplicationRunner bootstrapAdminKey(Settings settings, ApiKeys keys) {
        return args -> {
            String key = settings.bootstrapAdminKey();
            if (key != null && !key.isBlank()) {
                if (key.length() < 24) {
                    throw new IllegalStateException("BATCH_BOOTSTRAP_ADMIN_KEY must be at least 24 characters");
                }
                keys.register("admin", Caller.Role.ADMIN, key, null);
            } else if (!keys.anyActiveAdmin()) {
                log.warn("No admin API key exists; set BATCH_BOOTSTRAP_ADMIN_KEY to create the first one");
            }
        };
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new HandlerMethodArgumentResolver() {
            @Override
            public boolean supportsParameter(MethodParameter parameter) {
                return parameter.getParameterType() == Caller.class;
            }

            @Override
            public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
                                          NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
                Object caller = webRequest.getNativeRequest(HttpServletRequest.class).getAttribute(ApiKeyFilter.CALLER);
                if (caller == null) {
                    throw new IllegalStateException("no authenticated caller: is the API-key filter mapped to this path?");
                }
                return caller;
            }
        });
    }
}
