package io.github.imcallbackbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** A claimed batch stays reserved for as long as its deliveries can wait for a slot and be attempted. */
class DeliveryLeaseTest {

    @Test
    void theConfiguredLeaseIsUsedWhenItIsLongEnough() {
        Map<String, Object> claim = lease(300).claim(exchange(12_000));
        assertThat(length(claim)).isBetween(Duration.ofSeconds(299), Duration.ofSeconds(300));
        assertThat(claim).containsEntry("target", "crm").containsEntry("batchSize", 10).containsEntry("ordered", true)
                .containsKey("leaseToken");
    }

    @Test
    void aSlowTargetGetsALeaseThatOutlastsAWaitForASlotAndAnAttempt() {
        // a batch of 10 with 10 slots: the batch before it, then its own attempt; 2 s + 600 s per attempt, twice,
        // plus 10%: 1,324.4 s
        Duration lease = length(lease(300).claim(exchange(602_000)));
        assertThat(lease).isGreaterThanOrEqualTo(Duration.ofMillis(1_324_400)).isLessThan(Duration.ofSeconds(1_325));
    }

    @Test
    void aBatchLargerThanTheSlotsWaitsForOneAttemptPerSlotsWorthAheadOfIt() {
        // a batch of 10 with 4 slots: up to 3 attempts ahead in its own batch and the one before it, then its own
        // attempt; 10 s per attempt, four times, plus 10%: 44 s
        Exchange exchange = exchange(10_000);
        exchange.setProperty("maxInFlight", 4);
        Duration lease = length(lease(1).claim(exchange));
        assertThat(lease).isEqualTo(Duration.ofSeconds(44));
    }

    private static DeliveryLease lease(long seconds) {
        DeliveryLease lease = new DeliveryLease();
        lease.setLeaseSeconds(seconds);
        return lease;
    }

    private static Exchange exchange(long attemptBudgetMs) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty("target", "crm");
        exchange.setProperty("attemptBudgetMs", attemptBudgetMs);
        exchange.setProperty("batchSize", 10);
        exchange.setProperty("ordered", true);
        return exchange;
    }

    private static Duration length(Map<String, Object> claim) {
        return Duration.between((OffsetDateTime) claim.get("now"), (OffsetDateTime) claim.get("leaseUntil"));
    }
}
