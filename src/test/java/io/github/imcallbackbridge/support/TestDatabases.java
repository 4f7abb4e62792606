package io.github.imcallbackbridge.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The two real databases every flow test runs on: H2 (the zero-setup default, in PostgreSQL mode as the
 * application configures it) and PostgreSQL 14 (embedded, one server per test JVM, a fresh database for
 * each caller).
 */
public final class TestDatabases {

    private static EmbeddedPostgres postgres;
    private static org.h2.tools.Server h2Server;

    private TestDatabases() {
    }

    /** Spring datasource properties for a new, empty in-memory H2 database. */
    public static Map<String, String> h2InMemory() {
        return h2("mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    /** Spring datasource properties for an H2 database in the given file (without extension). */
    public static Map<String, String> h2File(String path) {
        // as the application's default: the database stays open until the application has stopped
        return h2("file:" + path + ";DB_CLOSE_ON_EXIT=FALSE");
    }

    private static Map<String, String> h2(String location) {
        return Map.of(
                "spring.datasource.url", "jdbc:h2:" + location
                        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
                "spring.datasource.username", "sa",
                "spring.datasource.password", "");
    }

    /** Spring datasource properties for a new, empty PostgreSQL database. */
    public static synchronized Map<String, String> freshPostgres() {
        return freshPostgres(postgresPort());
    }

    /** The embedded PostgreSQL server's port (started on first use). */
    public static synchronized int postgresPort() {
        startPostgres();
        return postgres.getPort();
    }

    /** A new, empty PostgreSQL database, reached through {@code port} (a proxy in front of the server). */
    public static synchronized Map<String, String> freshPostgres(int port) {
        try {
            startPostgres();
            String name = "bridge_" + UUID.randomUUID().toString().replace("-", "");
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return Map.of(
                    "spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + port + "/" + name,
                    "spring.datasource.username", "postgres",
                    "spring.datasource.password", "postgres");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A new H2 file database served by an H2 TCP server (one per test JVM), reached through {@code port} (a
     * proxy in front of the server): H2 as a database that can go away.
     */
    public static synchronized Map<String, String> freshH2Server(int port) {
        return h2("tcp://127.0.0.1:" + port + "/./bridge_" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1");
    }

    /** The H2 TCP server's port (started on first use, its files under target/h2-server). */
    public static synchronized int h2ServerPort() {
        if (h2Server == null) {
            try {
                h2Server = org.h2.tools.Server.createTcpServer("-tcpPort", "0", "-ifNotExists",
                        "-baseDir", "target/h2-server").start();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        return h2Server.getPort();
    }

    private static void startPostgres() {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting anyway
                    }
                }));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
