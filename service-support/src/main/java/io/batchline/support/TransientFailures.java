package io.batchline.support;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * The one rule for "is this the infrastructure, not the message?". A transient failure (the
 * database or the broker is down, restarting, out of connections, a deadlock, a lost
 * connection) says nothing about the work: the caller pauses and tries the same work
 * again, without spending any delivery or attempt budget. Everything else is about the
 * message itself and is handled as a failure of that message. Only the database's and the
 * broker's own failure types count: a handler's I/O error talking to some other service is
 * that item's (retryable) failure, not a reason to stall the whole chunk.
 */
public final class TransientFailures {

    /**
     * SQLState classes and codes that mean "try again later": connection exceptions (08),
     * insufficient resources (53), operator intervention such as a shutdown (57P), the
     * database system not accepting connections yet (57P03), serialization failures and
     * deadlocks (40001, 40P01), and "cannot connect now" while recovering.
     */
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "53", "57");
    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "55P03", "58000", "58030",
            // read-only transaction: the node is a standby, e.g. mid-failover
            "25006");

    private TransientFailures() {
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.springframework.transaction.TransactionSystemException tx
                    && tx.getApplicationException() != null && isTransient(tx.getApplicationException())) {
                // the statement failed because the connection died, and then so did the rollback
                return true;
            }
            if (t instanceof org.springframework.transaction.CannotCreateTransactionException) {
                return true;
            }
            if (t instanceof SQLException && t.getCause() instanceof java.io.IOException) {
                // the driver lost its socket to the database
                return true;
            }
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.length() >= 2 && TRANSIENT_CLASSES.contains(state.substring(0, 2)) || TRANSIENT_STATES.contains(state)) {
                    return true;
                }
            }
            String type = t.getClass().getName();
            // Spring's wrappers for "no connection", and the AMQP client's connection/channel losses
            if (type.endsWith("CannotGetJdbcConnectionException") || type.endsWith("TransientDataAccessResourceException")
                    || type.endsWith("QueryTimeoutException") || type.endsWith("AmqpConnectException")
                    || type.endsWith("AmqpIOException") || type.endsWith("AmqpTimeoutException")
                    || type.endsWith("ShutdownSignalException") || type.endsWith("AlreadyClosedException")
                    || type.endsWith("CannotAcquireLockException") || type.endsWith("PessimisticLockingFailureException")) {
                return true;
            }
        }
        return false;
    }
}
