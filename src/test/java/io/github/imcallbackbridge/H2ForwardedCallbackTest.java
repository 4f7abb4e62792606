package io.github.imcallbackbridge;

import io.github.imcallbackbridge.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Forwarded callbacks, several apps and before-callbacks on H2. */
class H2ForwardedCallbackTest extends ForwardedCallbackContract {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        bridgeProperties(registry, TestDatabases.h2InMemory());
    }
}
