package io.github.imcallbackbridge;

import io.github.imcallbackbridge.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Reliable delivery on PostgreSQL. */
class PostgresDeliveryTest extends DeliveryContract {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        bridgeProperties(registry, TestDatabases.freshPostgres());
    }
}
