package io.github.imcallbackbridge;

import java.util.HashMap;
import java.util.Map;

import io.github.imcallbackbridge.support.TestDatabases;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The callback protocol on PostgreSQL with {@code reWriteBatchedInserts=true}, a common tuning of the driver: it
 * sends a batch as one multi-row INSERT and answers {@code SUCCESS_NO_INFO} for each row instead of a count. The
 * topics were once recorded by such a batch, and the driver's missing counts left every topic without its
 * webhooks; they are now one {@code INSERT … SELECT … FROM UNNEST} whose count the driver gives, and the delivery
 * attempts are the batch it rewrites. Every rule of the protocol holds with the option on.
 */
class PostgresUncountedBatchCallbackFlowTest extends CallbackFlowContract {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        Map<String, String> datasource = new HashMap<>(TestDatabases.freshPostgres());
        datasource.put("spring.datasource.url", datasource.get("spring.datasource.url") + "?reWriteBatchedInserts=true");
        bridgeProperties(registry, datasource);
    }
}
