package io.github.imcallbackbridge;

import io.github.imcallbackbridge.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Hostile input on PostgreSQL. */
class PostgresHostileInputTest extends HostileInputContract {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        bridgeProperties(registry, TestDatabases.freshPostgres());
    }
}
