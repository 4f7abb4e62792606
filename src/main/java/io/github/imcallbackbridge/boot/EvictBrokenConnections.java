package io.github.imcallbackbridge.boot;

import java.sql.SQLException;

import com.zaxxer.hikari.SQLExceptionOverride;
import io.github.imcallbackbridge.database.DatabaseAvailability;

/**
 * Tells the connection pool to drop a connection that failed because the database went away, whatever the
 * driver calls it. HikariCP recognises PostgreSQL's connection errors by itself; an H2 server's ("session
 * closed", "database is already closed") it would keep handing out, and every statement on them would fail
 * after the database is back.
 */
public class EvictBrokenConnections implements SQLExceptionOverride {

    @java.lang.Override
    public Override adjudicate(SQLException failure) {
        return DatabaseAvailability.isOutage(failure) ? Override.MUST_EVICT : Override.CONTINUE_EVICT;
    }
}
