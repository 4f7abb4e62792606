package io.github.imcallbackbridge;

import io.github.imcallbackbridge.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Hostile input on H2. */
class H2HostileInputTest extends HostileInputContract {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        bridgeProperties(registry, TestDatabases.h2InMemory());
    }
}
