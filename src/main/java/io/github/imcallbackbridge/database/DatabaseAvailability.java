package io.github.imcallbackbridge.database;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLNonTransientConnectionException;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database can be reached, as this instance last found it, and which failures mean it cannot.
 * <p>
 * A failure that says the database is unreachable, refusing, out of resources or too slow for the callback
 * deadline ({@link #isOutage}) marks it down; while it is down, callbacks go straight to the journal and the
 * pollers skip their rounds, so nothing waits on it and nothing logs once per poll. A probe
 * ({@code database-probe} in {@code callback-journal.camel.yaml}) marks it up again. Each change is logged
 * once: a WARN when it goes, an INFO when it is back.
 * Any other failure (a constraint, a bug) is not an outage: the database is up and said no.
 */
public class DatabaseAvailability {

    private static final Logger LOG = LoggerFactory.getLogger("database");

    private volatile boolean down;
    private volatile long downSince;

    /** Whether the database is taken as reachable (no outage seen since the last successful probe). */
    public boolean isUp() {
        return !down;
    }

    public boolean isDown() {
        return down;
    }

    /**
     * Notes the exception the exchange caught: an outage marks the database down (one WARN on the change);
     * answers whether it was an outage.
     */
    public boolean failed(Exchange exchange) {
        Throwable failure = caught(exchange);
        if (!isOutage(failure)) {
            return false;
        }
        markDown(failure);
        return true;
    }

    /** Whether the exception the exchange caught says the database is unavailable (marks nothing). */
    public boolean isOutageFailure(Exchange exchange) {
        return isOutage(caught(exchange));
    }

    /** Notes that a statement went through: marks the database up (one INFO on the change). */
    public void reachable() {
        if (down) {
            synchronized (this) {
                if (down) {
                    down = false;
                    LOG.info("database reachable again after {} s: callbacks are recorded in it again, the journal is replayed and delivery resumes",
                            (System.currentTimeMillis() - downSince) / 1000);
                }
            }
        }
    }

    /** Marks the database down because of {@code failure} (one WARN on the change). */
    public void markDown(Throwable failure) {
        if (!down) {
            synchronized (this) {
                if (!down) {
                    downSince = System.currentTimeMillis();
                    down = true;
                    LOG.warn("database unavailable ({}): callbacks go to the local journal and delivery pauses until it is back",
                            describe(failure));
                }
            }
        }
    }

    /** Failures that say the database cannot take work now, rather than that it refused this work. */
    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ExchangeTimedOutException || t instanceof DatabaseUnavailableException
                    || t instanceof java.util.concurrent.TimeoutException
                    || t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException || t instanceof SQLTimeoutException
                    || t instanceof SocketTimeoutException || t instanceof ConnectException
                    || t instanceof NoRouteToHostException || t instanceof SocketException) {
                return true;
            }
            if (t instanceof SQLException sql && outageState(sql.getSQLState(), sql.getErrorCode())) {
                return true;
            }
            String type = t.getClass().getName();
            // Spring's translations of the above, without depending on Spring (plain Camel, Camel K)
            if (type.endsWith("CannotGetJdbcConnectionException") || type.endsWith("CannotCreateTransactionException")
                    || type.endsWith("TransactionSystemException")
                    || type.endsWith("QueryTimeoutException") || type.endsWith("TransientDataAccessResourceException")
                    || type.endsWith("DataAccessResourceFailureException")) {
                return true;
            }
        }
        return false;
    }

    /**
     * SQLSTATE classes of an unavailable database: 08 (connection), 53 (insufficient resources: disk full,
     * out of memory, too many connections), 57P (operator intervention: shutdown, cannot connect now), 57014
     * (statement cancelled by its timeout), 58 (system error: I/O); H2's "database closed"/IO error codes.
     */
    private static boolean outageState(String state, int code) {
        if (state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
                || state.equals("57014") || state.startsWith("58") || state.equals("HYT00"))) {
            return true;
        }
        return code == 90098 || code == 90028 || code == 90020 || code == 90067 || code == 90121;
    }

    private static Throwable caught(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return caught != null ? caught : exchange.getException();
    }

    /** The failure's kind and message, one line, no stack: what an operator needs in the WARN. */
    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
