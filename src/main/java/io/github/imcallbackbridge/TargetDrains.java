package io.github.imcallbackbridge;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;

/**
 * Who drains which target, and how many of its requests are in flight: the whole concurrency protocol of
 * delivery, in one place. The routes in {@code webhook-delivery.camel.yaml} ask, this class answers.
 * <ul>
 * <li>A target is drained by at most one drain loop at a time. A wake-up ({@link #wake}) starts one, or, when
 * one is running, asks it to go round once more, so no wake-up is lost and none piles up.</li>
 * <li>The drain claims at most as many deliveries as the target has free slots ({@link #reserveSlots}):
 * {@code maxInFlight} requests at once per target and instance. Each finished attempt frees its slot
 * ({@link #attemptDone}), and the drain, waiting for slots, claims the next ones.</li>
 * </ul>
 * The target's name is the exchange property {@code target} (or, for {@link #wake}, the body).
 */
public class TargetDrains {

    /** Wait for half the slots to be free before claiming, at most this long, so claims come in batches. */
    private static final long GATHER_MILLIS = 20;
    /** How often a drain waiting for slots looks whether the application is stopping. */
    private static final long STOP_CHECK_MILLIS = 100;

    private static final class Drain {
        boolean running;
        boolean wokenWhileRunning;
        int inFlight;
        int reserved;
    }

    private final Map<String, Drain> drains = new HashMap<>();

    /**
     * Asks for a drain of the target named in the body. True: none was running and the caller starts one
     * (sends the target to the drain route). False: one is running and will go round again.
     */
    public synchronized boolean wake(Exchange exchange) {
        Drain drain = drain(exchange.getMessage().getBody(String.class));
        if (drain.running) {
            drain.wokenWhileRunning = true;
            return false;
        }
        drain.running = true;
        drain.wokenWhileRunning = false;
        return true;
    }

    /**
     * After an attempt to an {@code ordered} target: the group's next event may be due now, so the target's drain
     * is started (true: the caller sends the target to the drain route) or asked to go round again (false).
     * False for an unordered target, whose drain claims as slots free up.
     */
    public synchronized boolean wakeAfterOrderedAttempt(Exchange exchange) {
        if (!exchange.getProperty("ordered", false, Boolean.class)) {
            return false;
        }
        Drain drain = drain(exchange.getProperty("target", String.class));
        if (drain.running) {
            drain.wokenWhileRunning = true;
            return false;
        }
        drain.running = true;
        return true;
    }

    /**
     * Waits until some of the target's {@code maxInFlight} slots are free (half of them, or any after a
     * short wait), reserves them all and answers how many: the size of the next claim. Answers 0 when the
     * application is stopping.
     */
    public synchronized int reserveSlots(Exchange exchange) throws InterruptedException {
        Drain drain = drain(exchange.getProperty("target", String.class));
        int max = exchange.getProperty("maxInFlight", 1, Integer.class);
        long gatherUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GATHER_MILLIS);
        while (exchange.getContext().isStarted()) {
            int free = max - drain.inFlight;
            boolean enough = free * 2 >= max || (free > 0 && System.nanoTime() >= gatherUntil);
            if (enough) {
                drain.inFlight += free;
                drain.reserved = free;
                return free;
            }
            wait(free > 0 ? GATHER_MILLIS : STOP_CHECK_MILLIS);
        }
        return 0;
    }

    /** After a claim of {@code claimedCount} deliveries: the reserved slots that none took are freed. */
    public synchronized void claimed(Exchange exchange) {
        Drain drain = drain(exchange.getProperty("target", String.class));
        int claimed = exchange.getProperty("claimedCount", 0, Integer.class);
        drain.inFlight -= Math.max(0, drain.reserved - claimed);
        drain.reserved = 0;
        notifyAll();
    }

    /** One attempt (or a delivery skipped because the application is stopping) is over: its slot is free. */
    public synchronized void attemptDone(Exchange exchange) {
        Drain drain = drain(exchange.getProperty("target", String.class));
        drain.inFlight = Math.max(0, drain.inFlight - 1);
        notifyAll();
    }

    /**
     * Called once at the end of each round: whether the drain goes round again, because the claim took every
     * reserved slot (more may be due) or a wake-up came meanwhile. When not, the drain is released in the same
     * step, so no wake-up falls in between.
     */
    public synchronized boolean keepDraining(Exchange exchange) {
        Drain drain = drain(exchange.getProperty("target", String.class));
        int reserved = exchange.getProperty("batchSize", 0, Integer.class);
        int claimed = exchange.getProperty("claimedCount", 0, Integer.class);
        boolean again = (reserved > 0 && claimed >= reserved) || drain.wokenWhileRunning;
        drain.wokenWhileRunning = false;
        if (!again) {
            drain.running = false;
        }
        return again;
    }

    /** Releases the drain if still held (the application is stopping, or a step failed), and any slots reserved for a claim that failed. */
    public synchronized void finishDraining(Exchange exchange) {
        Drain drain = drain(exchange.getProperty("target", String.class));
        drain.inFlight -= drain.reserved;
        drain.reserved = 0;
        drain.running = false;
        notifyAll();
    }

    private Drain drain(String target) {
        return drains.computeIfAbsent(target, t -> new Drain());
    }
}
