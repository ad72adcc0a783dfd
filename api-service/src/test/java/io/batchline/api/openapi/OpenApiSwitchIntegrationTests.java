package io.batchline.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** {@code BATCH_OPENAPI_ENABLED=false}: neither the description nor Swagger UI is served, and the API is unchanged. */
@TestPropertySource(properties = "BATCH_OPENAPI_ENABLED=false")
class OpenApiSwitchIntegrationTests extends RealServicesTest {

    @Test
    void switchedOffThereIsNoDescriptionAndNoSwaggerUi() {
        Answer description = as(null, "GET", "/v3/api-docs", null, null, Map.of());
        assertThat(description.status()).isEqualTo(404);
        assertThat(description.contentType()).startsWith("application/problem+json");
        assertThat(as(null, "GET", "/swagger-ui/index.html", null, null, Map.of()).status()).isEqualTo(404);
        assertThat(get("/api/batches").status()).isEqualTo(200);
    }
}
