package io.github.imcallbackbridge;

import io.github.imcallbackbridge.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The callback protocol on PostgreSQL. */
class PostgresCallbackFlowTest extends CallbackFlowContract {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        bridgeProperties(registry, TestDatabases.freshPostgres());
    }
}
