package io.batchline.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.api.RealServicesTest;
import io.batchline.model.status.BatchStatus;
import io.batchline.model.status.ItemStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The database's status guard and the enums in common-model are one definition: this test
 * fails if they ever disagree, and shows the guard refusing what the enums refuse.
 */
class StatusTransitionsIntegrationTests extends RealServicesTest {

    private Set<String> stored(String entity) {
        return new HashSet<>(jdbc.sql("SELECT from_status || '->' || to_status FROM status_transitions WHERE entity = :e")
                .param("e", entity).query(String.class).list());
    }

    @Test
    void databaseGuardAllowsExactlyTheMovesTheEnumsAllow() {
        Set<String> batchMoves = new HashSet<>();
        for (BatchStatus from : BatchStatus.values()) {
            for (BatchStatus to : BatchStatus.values()) {
                if (from.canMoveTo(to)) {
                    batchMoves.add(from.wireName() + "->" + to.wireName());
                }
            }
        }
        Set<String> itemMoves = new HashSet<>();
        for (ItemStatus from : ItemStatus.values()) {
            for (ItemStatus to : ItemStatus.values()) {
                if (from.canMoveTo(to)) {
                    itemMoves.add(from.wireName() + "->" + to.wireName());
                }
            }
        }
        assertThat(stored("batch")).isEqualTo(batchMoves);
        assertThat(stored("item")).isEqualTo(itemMoves);
    }

    @Test
    void statusColumnsAcceptEveryStatusTheEnumsName() {
        String batches = jdbc.sql("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'batches_status_check'")
                .query(String.class).single();
        String items = jdbc.sql("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'batch_items_status_check'"
                        // the partitioned table's own (each partition has a copy)
                        + " AND conrelid = 'batch_items'::regclass")
                .query(String.class).single();
        for (BatchStatus status : BatchStatus.values()) {
            assertThat(batches).contains("'" + status.wireName() + "'");
        }
        for (ItemStatus status : ItemStatus.values()) {
            assertThat(items).contains("'" + status.wireName() + "'");
        }
    }

    @Test
    void guardRefusesAnIllegalMoveWhicheverStatementTriesIt() {
        UUID batch = submitLookups(2, "{}");
        // a terminal item never moves again
        jdbc.sql("UPDATE batch_items SET status = 'succeeded' WHERE batch_id = :id AND seq = 0").param("id", batch).update();
        assertThatThrownBy(() -> jdbc.sql("UPDATE batch_items SET status = 'cancelled' WHERE batch_id = :id AND seq = 0")
                .param("id", batch).update()).isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("illegal item status move succeeded -> cancelled");
        // a stop cannot skip the stopping state
        assertThatThrownBy(() -> jdbc.sql("UPDATE batches SET status = 'cancelled' WHERE id = :id").param("id", batch).update())
                .isInstanceOf(DataIntegrityViolationException.class)
                .hasMessageContaining("illegal batch status move");
        assertThat(jdbc.sql("SELECT status FROM batches WHERE id = :id").param("id", batch).query(String.class).single())
                .isIn(List.of("pending", "processing"));
    }

    @Test
    void statusRulesRenderedIntoSqlComeFromTheEnums() {
        assertThat(StatusSql.render("{STOPPABLE}")).isEqualTo("'pending', 'processing'");
        assertThat(StatusSql.render("{ACTIVE}")).isEqualTo("'pending', 'processing', 'stopping'");
        assertThat(StatusSql.render("{RETRIABLE_ITEMS}")).isEqualTo("'failed'");
        assertThat(StatusSql.render("{ITEM_ENDINGS}")).isEqualTo(
                "('pending', 'succeeded'), ('pending', 'failed'), ('pending', 'cancelled'), ('pending', 'timed_out')");
        assertThatThrownBy(() -> StatusSql.render("{NO_SUCH_RULE}")).isInstanceOf(IllegalArgumentException.class);
    }
}
