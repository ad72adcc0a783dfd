package io.batchline.api.submission;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * {@code BATCH_MAX_BODY_BYTES} for the seed-compatible endpoints, whose bodies Spring MVC
 * binds to records before the controller runs ({@code POST /api/batches} streams its body
 * and counts on its own): a body that announces more is refused before it is read, and one
 * that grows past the limit while it streams in (chunked) is cut off with the same 413.
 */
@Configuration(proxyBeanMethods = false)
class BodyLimit {

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> seedBodyLimit(SubmissionLimits limits,
                                                              HandlerExceptionResolver handlerExceptionResolver) {
        OncePerRequestFilter filter = new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                long limit = limits.maxBodyBytes().toBytes();
                if (request.getContentLengthLong() > limit) {
                    handlerExceptionResolver.resolveException(request, response, null, LimitedStream.tooLarge(limit));
                    return;
                }
                chain.doFilter(new Limited(request, limit), response);
            }
        };
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns("/batch/*", "/api/batches/batch-update-price");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
        return registration;
    }

    /** The request with its body counted as it is read. */
    private static final class Limited extends HttpServletRequestWrapper {

        private final long limit;
        private ServletInputStream stream;

        Limited(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream original = super.getInputStream();
                LimitedStream counted = new LimitedStream(original, limit);
                stream = new ServletInputStream() {
                    @Override
                    public int read() throws IOException {
                        return counted.read();
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        return counted.read(b, off, len);
                    }

                    @Override
                    public boolean isFinished() {
                        return original.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return original.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        original.setReadListener(listener);
                    }
                };
            }
            return stream;
        }
    }
}
