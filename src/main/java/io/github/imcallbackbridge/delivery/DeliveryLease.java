package io.github.imcallbackbridge.delivery;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;

/**
 * The parameters for claiming a batch of due deliveries from the outbox. A claim marks rows with a fresh
 * lease token until {@code leaseUntil}; a worker that dies mid-batch leaves leases that simply expire, and
 * the rows are claimed again. A batch is a few times as large as the target's slots (see
 * {@link WebhookTargets#drainSettings}), and each delivery is sent as soon as a slot is free, so the lease must
 * outlast the wait for a slot (behind the batch before it and the deliveries ahead of it in its own batch) and
 * the delivery's own attempt, each at the target's longest timeout.
 */
public class DeliveryLease {

    private Duration leaseDuration = Duration.ofMinutes(5);

    public void setLeaseSeconds(long seconds) {
        this.leaseDuration = Duration.ofSeconds(seconds);
    }

    /**
     * Named parameters {@code target}, {@code ordered} and {@code batchSize} (from the exchange properties of
     * those names), {@code leaseToken}, {@code now}, {@code leaseUntil}. The lease is the configured one, or
     * longer when the target's longest attempts ({@code attemptBudgetMs}: connect + response timeout), one per
     * {@code maxInFlight} deliveries that can be ahead of a claimed one (the batch before it and its own batch)
     * plus its own, and 10%, would outlast it: no delivery is ever taken over while waiting for its slot or
     * being attempted.
     */
    public Map<String, Object> claim(Exchange exchange) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        long attemptBudgetMs = exchange.getProperty("attemptBudgetMs", 0L, Long.class);
        int batchSize = exchange.getProperty("batchSize", 1, Integer.class);
        int maxInFlight = Math.max(1, exchange.getProperty("maxInFlight", batchSize, Integer.class));
        long attemptsWaitedFor = (batchSize + maxInFlight - 1) / maxInFlight; // ceil(batchSize / maxInFlight)
        Duration needed = Duration.ofMillis(attemptBudgetMs * (attemptsWaitedFor + 1) * 11 / 10);
        return Map.of(
                "target", exchange.getProperty("target", String.class),
                "ordered", exchange.getProperty("ordered", false, Boolean.class),
                "leaseToken", UUID.randomUUID().toString(),
                "now", now,
                "leaseUntil", now.plus(needed.compareTo(leaseDuration) > 0 ? needed : leaseDuration),
                "batchSize", exchange.getProperty("batchSize", 1, Integer.class));
    }
}
