package io.batchline.api.problem;

import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/**
 * Problem+json from every layer, not only from the controllers: Tomcat's own refusals
 * ({@link ProblemErrorReportValve}), requests refused before Spring MVC
 * ({@link RequestTargetFilter}, first of all filters) and the container's error page
 * ({@link ProblemErrorController}).
 */
@Configuration(proxyBeanMethods = false)
class ProblemConfiguration {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
        return factory -> factory.addContextCustomizers(context -> {
            if (!(context.getParent() instanceof StandardHost host)) {
                throw new IllegalStateException("the Tomcat context has no host to set the error report valve on");
            }
            host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
        });
    }

    @Bean
    FilterRegistrationBean<RequestTargetFilter> requestTargetFilter(JsonMapper json) {
        FilterRegistrationBean<RequestTargetFilter> registration = new FilterRegistrationBean<>(new RequestTargetFilter(json));
        registration.addUrlPatterns("/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
