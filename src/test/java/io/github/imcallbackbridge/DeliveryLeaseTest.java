package io.github.imcallbackbridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** A claimed batch stays reserved for as long as its attempts can take. */
class DeliveryLeaseTest {

    @Test
    void theConfiguredLeaseIsUsedWhenItIsLongEnough() {
        Map<String, Object> claim = lease(300, 10).claim(exchange(12_000));
        assertThat(length(claim)).isBetween(Duration.ofSeconds(299), Duration.ofSeconds(300));
        assertThat(claim).containsEntry("target", "crm").containsEntry("batchSize", 10).containsKey("leaseToken");
    }

    @Test
    void aSlowTargetGetsALeaseThatOutlastsAWholeBatch() {
        // 10 deliveries of up to 2 s + 60 s each: 620 s, plus 10%
        assertThat(length(lease(300, 10).claim(exchange(62_000)))).isGreaterThanOrEqualTo(Duration.ofSeconds(681));
    }

    private static DeliveryLease lease(long seconds, int batchSize) {
        DeliveryLease lease = new DeliveryLease();
        lease.setLeaseSeconds(seconds);
        lease.setBatchSize(batchSize);
        return lease;
    }

    private static Exchange exchange(long attemptBudgetMs) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty("target", "crm");
        exchange.setProperty("attemptBudgetMs", attemptBudgetMs);
        return exchange;
    }

    private static Duration length(Map<String, Object> claim) {
        return Duration.between((OffsetDateTime) claim.get("now"), (OffsetDateTime) claim.get("leaseUntil"));
    }
}
