package io.batchline.api.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.testing.TestServices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * V16 on a table that holds items: a database of its own is migrated to V15, filled, then
 * migrated to the end, and every item must come out in the right partition with its status,
 * its round and its notes, the guard and the constraints still in force.
 */
class BatchItemsMigrationIntegrationTests {

    private final TestServices.Postgres server = TestServices.get().postgres();
    private final String database = server.database() + "_v16";
    private SingleConnectionDataSource dataSource;
    private JdbcClient jdbc;

    private Connection admin() throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.username(), server.password());
    }

    @BeforeEach
    void freshDatabase() throws SQLException {
        try (Connection c = admin(); var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            s.execute("CREATE DATABASE \"" + database + "\"");
        }
        String url = "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + database;
        dataSource = new SingleConnectionDataSource(url, server.username(), server.password(), true);
        jdbc = JdbcClient.create(dataSource);
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        dataSource.destroy();
        try (Connection c = admin(); var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
        }
    }

    private void migrate(String target) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target(target).load().migrate();
    }

    private void batch(UUID id, int items) {
        jdbc.sql("INSERT INTO batches (id, creator, operation, total, status) VALUES (?, 't', 'noop', ?, 'processing')")
                .params(id, items).update();
        jdbc.sql("INSERT INTO batch_items (batch_id, seq, item_key, payload) SELECT ?, g, 'k' || g, jsonb_build_object('n', g)"
                + " FROM generate_series(0, ? - 1) g").params(id, items).update();
    }

    private String partitionOf(UUID batch, int seq) {
        return jdbc.sql("SELECT tableoid::regclass::text FROM batch_items WHERE batch_id = ? AND seq = ?").params(batch, seq)
                .query(String.class).single();
    }

    @Test
    void itemsOfAPopulatedTableSurviveWithTheirStatusesInTheirDaysPartitions() {
        migrate("15");
        Instant now = Instant.now();
        UUID today = ItemPartitionsIntegrationTests.idAt(now);
        UUID tenDaysAgo = ItemPartitionsIntegrationTests.idAt(now.minus(Duration.ofDays(10)));
        UUID random = UUID.randomUUID();
        batch(today, 1000);
        batch(tenDaysAgo, 5);
        batch(random, 3);
        jdbc.sql("UPDATE batch_items SET status = 'succeeded', attempts = 1, result = '{\"ok\":true}' WHERE batch_id = ? AND seq % 2 = 0")
                .params(today).update();
        jdbc.sql("UPDATE batch_items SET status = 'failed', error_code = 'x.bad', error_message = 'bad' WHERE batch_id = ? AND seq = 1")
                .params(today).update();
        jdbc.sql("UPDATE batch_items SET started_at = now(), worker = 'w/1', crashes = 2, round = 1 WHERE batch_id = ? AND seq = 3")
                .params(today).update();
        String before = jdbc.sql("SELECT md5(string_agg(i::text, '|' ORDER BY batch_id, seq)) FROM batch_items i").query(String.class).single();

        migrate("latest");

        String after = jdbc.sql("SELECT md5(string_agg(i::text, '|' ORDER BY batch_id, seq)) FROM batch_items i").query(String.class).single();
        assertThat(after).isEqualTo(before);
        assertThat(jdbc.sql("SELECT count(*) FROM batch_items").query(Integer.class).single()).isEqualTo(1008);
        assertThat(jdbc.sql("SELECT count(*) FROM batch_items WHERE batch_id = ? AND status = 'succeeded'").params(today)
                .query(Integer.class).single()).isEqualTo(500);
        String day = "batch_items_" + LocalDate.now(ZoneOffset.UTC).format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
        String tenDays = "batch_items_" + LocalDate.ofInstant(now.minus(Duration.ofDays(10)), ZoneOffset.UTC)
                .format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
        assertThat(partitionOf(today, 999)).isEqualTo(day);
        assertThat(partitionOf(tenDaysAgo, 0)).isEqualTo(tenDays);
        assertThat(partitionOf(random, 0)).isEqualTo("batch_items_default");
        assertThat(jdbc.sql("SELECT to_regclass('batch_items_unpartitioned') IS NULL").query(Boolean.class).single()).isTrue();
        assertThat(jdbc.sql("SELECT relkind::text FROM pg_class WHERE relname = 'batch_items'").query(String.class).single())
                .isEqualTo("p");

        // the status guard, the primary key and the status CHECK hold in the new table
        assertThatThrownBy(() -> jdbc.sql("UPDATE batch_items SET status = 'pending' WHERE batch_id = ? AND seq = 0")
                .params(today).update()).hasMessageContaining("illegal item status move");
        jdbc.sql("UPDATE batch_items SET status = 'pending' WHERE batch_id = ? AND seq = 1").params(today).update();
        assertThatThrownBy(() -> jdbc.sql("INSERT INTO batch_items (batch_id, seq, payload) VALUES (?, 0, '{}')")
                .params(tenDaysAgo).update()).hasMessageContaining("duplicate key");
        assertThatThrownBy(() -> jdbc.sql("INSERT INTO batch_items (batch_id, seq, payload, status) VALUES (?, 0, '{}', 'weird')")
                .params(UUID.randomUUID()).update()).hasMessageContaining("batch_items_status_check");
        // the indexes every partition carries
        assertThat(jdbc.sql("SELECT count(*) FROM pg_indexes WHERE tablename = ?").params(day).query(Integer.class).single())
                .isEqualTo(3);
        assertThat(jdbc.sql("SELECT reloptions::text FROM pg_class WHERE relname = ?").params(day).query(String.class).single())
                .contains("fillfactor=85", "autovacuum_vacuum_scale_factor=0.02");
    }
}
