package io.batchline.api.health;

import io.batchline.api.security.Caller;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/batches/health}: seed 000's health. Any valid key: a submitter sees its
 * own tenant's counts and rates (and whether the broker answers), an admin sees every
 * tenant plus the shared resources (table sizes, queue depths, consumers). A broker that
 * does not answer makes the answer {@code degraded}, never an error; a database that does
 * not answer makes it {@code unhealthy} with 503.
 */
@RestController
class BatchHealth {

    private static final Logger log = LoggerFactory.getLogger(BatchHealth.class);

    private final HealthReport report;

    BatchHealth(HealthReport report) {
        this.report = report;
    }

    @GetMapping("/api/batches/health")
    ResponseEntity<Map<String, Object>> health(Caller caller) {
        try {
            return ResponseEntity.ok(report.report(caller.tenantScope()));
        } catch (DataAccessException e) {
            log.warn("Health: database unavailable: {}", e.getMessage());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "unhealthy");
            body.put("timestamp", Instant.now().toString());
            body.put("error", "database unavailable");
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "5").body(body);
        }
    }
}
