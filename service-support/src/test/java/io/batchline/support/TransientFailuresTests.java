package io.batchline.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

class TransientFailuresTests {

    @Test
    void theDatabaseGoingAwayIsTransient() {
        assertThat(TransientFailures.isTransient(new SQLTransientConnectionException("pool timed out"))).isTrue();
        assertThat(TransientFailures.isTransient(new DataAccessResourceFailureException("x",
                new SQLException("terminating connection due to administrator command", "57P01")))).isTrue();
        assertThat(TransientFailures.isTransient(new SQLException("connection refused", "08001"))).isTrue();
        assertThat(TransientFailures.isTransient(new SQLException("deadlock", "40P01"))).isTrue();
        assertThat(TransientFailures.isTransient(new SQLException("I/O error", null, new SocketException("Broken pipe")))).isTrue();
        assertThat(TransientFailures.isTransient(new CannotCreateTransactionException("Could not open JDBC Connection"))).isTrue();
    }

    @Test
    void aRollbackThatFailsAfterTheConnectionDiedIsTransient() {
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
                new SQLException("This connection has been closed."));
        rollback.initApplicationException(new DataAccessResourceFailureException("x",
                new SQLException("terminating connection due to administrator command", "57P01")));
        assertThat(TransientFailures.isTransient(rollback)).isTrue();
    }

    @Test
    void whatTheDataItselfCausesIsNot() {
        assertThat(TransientFailures.isTransient(new DataIntegrityViolationException("x",
                new SQLException("illegal item status move succeeded -> cancelled", "23514")))).isFalse();
        assertThat(TransientFailures.isTransient(new SQLException("invalid input syntax", "22P02"))).isFalse();
        assertThat(TransientFailures.isTransient(new IllegalStateException("a bug"))).isFalse();
        assertThat(TransientFailures.isTransient(new java.io.UncheckedIOException(new java.io.IOException("remote said no"))))
                .as("another service's I/O error is the item's failure").isFalse();
    }
}
