package io.github.imcallbackbridge;

import io.github.imcallbackbridge.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Reliable delivery on H2. */
class H2DeliveryTest extends DeliveryContract {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        bridgeProperties(registry, TestDatabases.h2InMemory());
    }
}
