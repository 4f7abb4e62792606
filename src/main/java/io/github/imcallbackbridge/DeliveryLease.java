package io.github.imcallbackbridge;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import org.apache.camel.Exchange;

/**
 * The parameters for claiming a batch of due deliveries from the outbox. A claim marks rows with a fresh
 * lease token until {@code leaseUntil}; a worker that dies mid-batch leaves leases that simply expire, and
 * the rows are claimed again. The lease must outlast a whole batch of attempts at the maximum timeout.
 */
public class DeliveryLease {

    private Duration leaseDuration = Duration.ofMinutes(5);
    private int batchSize = 10;

    public void setLeaseSeconds(long seconds) {
        this.leaseDuration = Duration.ofSeconds(seconds);
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    /**
     * Named parameters {@code target} (from the exchange property of that name), {@code leaseToken},
     * {@code now}, {@code leaseUntil}, {@code batchSize}. The lease is the configured one, or longer when the
     * target's longest attempt ({@code attemptBudgetMs}: connect + response timeout) times the batch size,
     * plus 10%, would outlast it: no batch is ever taken over while still being worked on.
     */
    public Map<String, Object> claim(Exchange exchange) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        long attemptBudgetMs = exchange.getProperty("attemptBudgetMs", 0L, Long.class);
        Duration needed = Duration.ofMillis(attemptBudgetMs * batchSize * 11 / 10);
        return Map.of(
                "target", exchange.getProperty("target", String.class),
                "leaseToken", UUID.randomUUID().toString(),
                "now", now,
                "leaseUntil", now.plus(needed.compareTo(leaseDuration) > 0 ? needed : leaseDuration),
                "batchSize", batchSize);
    }
}
