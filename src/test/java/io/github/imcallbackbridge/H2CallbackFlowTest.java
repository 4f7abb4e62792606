package io.github.imcallbackbridge;

import io.github.imcallbackbridge.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The callback protocol on H2, the zero-setup default database. */
class H2CallbackFlowTest extends CallbackFlowContract {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        bridgeProperties(registry, TestDatabases.h2InMemory());
    }
}
