package io.github.imcallbackbridge;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a failed delivery again: exponential backoff from {@code initialDelay}, doubling per failed
 * attempt up to {@code maxDelay}, with ±20% jitter so that many deliveries failing together do not retry
 * in lockstep. Deliveries are retried until they succeed.
 */
public class DeliveryBackoff {

    private Duration initialDelay = Duration.ofSeconds(1);
    private Duration maxDelay = Duration.ofMinutes(10);

    public void setInitialDelayMs(long millis) {
        this.initialDelay = Duration.ofMillis(millis);
    }

    public void setMaxDelayMs(long millis) {
        this.maxDelay = Duration.ofMillis(millis);
    }

    /**
     * @param previousAttempts attempts made before the one that just failed (0 after a first failure)
     */
    public OffsetDateTime nextAttemptAt(int previousAttempts) {
        return OffsetDateTime.now(ZoneOffset.UTC).plus(delayAfter(previousAttempts));
    }

    Duration delayAfter(int previousAttempts) {
        int doublings = Math.max(0, Math.min(previousAttempts, 30));
        long base = Math.min(maxDelay.toMillis(), initialDelay.toMillis() << doublings);
        if (base <= 0) {
            base = maxDelay.toMillis();
        }
        double jitter = ThreadLocalRandom.current().nextDouble(0.8, 1.2);
        return Duration.ofMillis((long) (base * jitter));
    }
}
