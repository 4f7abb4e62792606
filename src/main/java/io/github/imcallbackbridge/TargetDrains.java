package io.github.imcallbackbridge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;

/**
 * Who drains which target, and how many of its requests are in flight: the whole concurrency protocol of
 * delivery, in one place. The routes in {@code webhook-delivery.camel.yaml} ask, this class answers.
 * <ul>
 * <li>A target is drained by at most one drain loop at a time. A wake-up ({@link #drainsToStart}) starts one, or, when
 * one is running, asks it to go round once more, so no wake-up is lost and none piles up.</li>
 * <li>A target has {@code maxInFlight} slots per instance: the drain claims a batch of that many deliveries
 * and sends each as soon as it has a slot ({@link #takeSlot}); each finished attempt frees its slot
 * ({@link #attemptDone}). The next batch is claimed while the last ones are still in flight, so the
 * target is kept busy without ever having more than {@code maxInFlight} requests at once.</li>
 * </ul>
 * The target's name is the exchange property {@code target} (for {@link #drainsToStart}, the body lists them).
 */
public class TargetDrains {

    /** How often a drain waiting for slots looks whether the application is stopping. */
    private static final long STOP_CHECK_MILLIS = 100;

    private static final class Drain {
        boolean running;
        boolean wokenWhileRunning;
        int inFlight;
    }

    private final Map<String, Drain> drains = new HashMap<>();

    /**
     * Asks for a drain of each target named in the body (a list of names) and answers those whose drain the
     * caller must start (send to the drain route): the ones with none running. A running drain is asked to go
     * round once more instead.
     */
    public synchronized List<String> drainsToStart(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<String> targets = exchange.getMessage().getBody(List.class);
        List<String> start = new ArrayList<>(1);
        for (String target : targets) {
            Drain drain = drain(target);
            if (drain.running) {
                drain.wokenWhileRunning = true;
            } else {
                drain.running = true;
                drain.wokenWhileRunning = false;
                start.add(target);
            }
        }
        return start;
    }

    /** Whether the application is stopping (or not started yet): deliveries are then left for the next start. */
    public boolean stopping(Exchange exchange) {
        return !exchange.getContext().isStarted();
    }

    /**
     * The ordered targets among a batch of written attempts (the body: their outcome rows, each with {@code target}
     * and {@code ordered}): their groups' next events may be due now, so their drains go round again.
     */
    public List<String> orderedTargetsIn(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> outcomes = exchange.getMessage().getBody(List.class);
        return outcomes.stream().filter(o -> Boolean.TRUE.equals(o.get("ordered"))).map(o -> (String) o.get("target"))
                .distinct().toList();
    }

    /**
     * Takes one of the target's {@code maxInFlight} slots for the claimed delivery about to be sent, waiting
     * while they are all taken. False when the application is stopping: the delivery is then released, not sent.
     */
    public synchronized boolean takeSlot(Exchange exchange) throws InterruptedException {
        Drain drain = drain(exchange.getProperty("target", String.class));
        int max = exchange.getProperty("maxInFlight", 1, Integer.class);
        while (exchange.getContext().isStarted()) {
            if (drain.inFlight < max) {
                drain.inFlight++;
                return true;
            }
            wait(STOP_CHECK_MILLIS);
        }
        return false;
    }

    /** One attempt (or a delivery skipped because the application is stopping) is over: its slot is free. */
    public synchronized void attemptDone(Exchange exchange) {
        Drain drain = drain(exchange.getProperty("target", String.class));
        drain.inFlight = Math.max(0, drain.inFlight - 1);
        notifyAll();
    }

    /**
     * Called once at the end of each round: whether the drain goes round again, because the claim was a full
     * batch ({@code claimedCount} reached {@code batchSize}: more may be due) or a wake-up came meanwhile, unless
     * the application is stopping. When not, the drain is released in the same
     * step, so no wake-up falls in between.
     */
    public synchronized boolean keepDraining(Exchange exchange) {
        Drain drain = drain(exchange.getProperty("target", String.class));
        int batchSize = exchange.getProperty("batchSize", 1, Integer.class);
        int claimed = exchange.getProperty("claimedCount", 0, Integer.class);
        boolean again = exchange.getContext().isStarted() && (claimed >= batchSize || drain.wokenWhileRunning);
        drain.wokenWhileRunning = false;
        if (!again) {
            drain.running = false;
        }
        return again;
    }

    /** Releases the drain if still held (the application is stopping, or a step failed). */
    public synchronized void finishDraining(Exchange exchange) {
        drain(exchange.getProperty("target", String.class)).running = false;
    }

    private Drain drain(String target) {
        return drains.computeIfAbsent(target, t -> new Drain());
    }
}
