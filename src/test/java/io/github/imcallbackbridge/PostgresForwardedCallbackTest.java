package io.github.imcallbackbridge;

import io.github.imcallbackbridge.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Forwarded callbacks, several apps and before-callbacks on Postgres. */
class PostgresForwardedCallbackTest extends ForwardedCallbackContract {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        bridgeProperties(registry, TestDatabases.freshPostgres());
    }
}
