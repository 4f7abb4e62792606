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

    private TestDatabases() {
    }

    /** Spring datasource properties for a new, empty in-memory H2 database. */
    public static Map<String, String> h2InMemory() {
        return h2("mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    /** Spring datasource properties for an H2 database in the given file (without extension). */
    public static Map<String, String> h2File(String path) {
        return h2("file:" + path);
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
            String name = "bridge_" + UUID.randomUUID().toString().replace("-", "");
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            }
            return Map.of(
                    "spring.datasource.url", postgres.getJdbcUrl("postgres", name),
                    "spring.datasource.username", "postgres",
                    "spring.datasource.password", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
