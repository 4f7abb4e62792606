package io.github.imcallbackbridge.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.imcallbackbridge.database.RecordingLoad;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who drains which target, and how many of its requests are in flight: the whole concurrency protocol of
 * delivery, in one place. The routes in {@code webhook-delivery.camel.yaml} ask, this class answers.
 * <ul>
 * <li>A target is drained by at most one drain loop at a time. A wake-up ({@link #drainsToStart}) starts one, or, when
 * one is running, asks it to go round once more, so no wake-up is lost and none piles up.</li>
 * <li>A target has {@code maxInFlight} slots per instance: the drain claims a batch of deliveries (a few per
 * slot, {@code batchSize}) and sends each as soon as it has a slot ({@link #takeSlot}); each finished attempt frees its slot
 * ({@link #attemptDone}). The next batch is claimed while the last ones are still in flight, so the
 * target is kept busy without ever having more than {@code maxInFlight} requests at once.</li>
 * <li>Recording comes first: while the bridge is busy recording ({@link RecordingLoad#busy()}), a round has one
 * slot and claims {@value WebhookTargets#CLAIMED_PER_SLOT} deliveries ({@link #sizeRound}), so the callbacks being
 * recorded get the CPU and the database; the next round after it is over has the target's slots again.</li>
 * </ul>
 * The target's name is the exchange property {@code target} (for {@link #drainsToStart}, the body lists them).
 */
public class TargetDrains {

    /** How often a drain waiting for slots looks whether the application is stopping. */
    private static final long STOP_CHECK_MILLIS = 100;

    /** Connection-level failures in a row (no HTTP answer) after which a target's drain pauses. */
    static final int UNREACHABLE_IN_A_ROW = 5;
    private static final Duration DEFAULT_PAUSE = Duration.ofSeconds(5);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger("webhook-delivery");

    private static final class Drain {
        long lastClaimNanos;
        boolean lastClaimFull = true;
        boolean running;
        boolean wokenWhileRunning;
        int inFlight;
        int unreachableInARow;
        long pausedUntilNanos;
        boolean unreachable;
    }

    private final Map<String, Drain> drains = new HashMap<>();
    private long claimGapNanos = TimeUnit.MILLISECONDS.toNanos(20);
    private RecordingLoad recordingLoad = new RecordingLoad();

    /** The shortest time between two claims of one target that did not fill their batch (webhook.claim-gap-ms). */
    public void setClaimGapMs(long millis) {
        this.claimGapNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** The recordings under way, which delivery steps back for. */
    public void setRecordingLoad(RecordingLoad recordingLoad) {
        this.recordingLoad = recordingLoad;
    }

    /**
     * Sizes the next round of the target's drain (exchange properties {@code maxInFlight} and {@code batchSize},
     * which the claim, its lease and the slots read): the target's own max-in-flight ({@code targetMaxInFlight})
     * and {@value WebhookTargets#CLAIMED_PER_SLOT} deliveries per slot, or one slot while the bridge is busy
     * recording callbacks. Decided per round, so a claimed batch is always sent with the slots its lease counted on.
     */
    public void sizeRound(Exchange exchange) {
        int slots = recordingLoad.busy() ? 1 : exchange.getProperty("targetMaxInFlight", 1, Integer.class);
        exchange.setProperty("maxInFlight", slots);
        exchange.setProperty("batchSize", slots * WebhookTargets.CLAIMED_PER_SLOT);
    }

    /**
     * Called before each claim: when the target's last claim did not fill its batch (callbacks trickle in, each
     * waking the drain), waits until the claim gap has passed since it, so that one claim (a committed UPDATE and
     * a SELECT) takes the deliveries of every callback recorded meanwhile instead of one claim each. A full last
     * claim (a backlog) or an idle target is claimed from at once.
     */
    public void paceClaim(Exchange exchange) throws InterruptedException {
        long wait;
        synchronized (this) {
            Drain drain = drain(exchange.getProperty("target", String.class));
            long now = System.nanoTime();
            wait = drain.lastClaimFull ? 0 : drain.lastClaimNanos + claimGapNanos - now;
            drain.lastClaimNanos = now + Math.max(0, wait);
        }
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

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
            if (paused(drain)) {
                continue; // the poller asks again once the pause is over
            }
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
        while (exchange.getContext().isStarted() && !paused(drain)) {
            if (drain.inFlight < max) {
                drain.inFlight++;
                return true;
            }
            wait(STOP_CHECK_MILLIS);
        }
        return false;
    }

    /**
     * One attempt (or a delivery skipped because the application is stopping) is over: its slot is free. The
     * attempt's outcome (the body) also tells whether the target can be reached: after
     * {@link #UNREACHABLE_IN_A_ROW} attempts in a row without an HTTP answer (refused, reset, timed out) its drain
     * pauses for the first wait of its retry schedule (at most 30 s) instead of failing every due delivery at once;
     * the deliveries keep their schedule and their leases are released. One WARN when a target becomes
     * unreachable, one INFO when it answers again.
     */
    public synchronized void attemptDone(Exchange exchange) {
        String target = exchange.getProperty("target", String.class);
        Drain drain = drain(target);
        drain.inFlight = Math.max(0, drain.inFlight - 1);
        if (exchange.getMessage().getBody() instanceof Map<?, ?> outcome && outcome.get("status") instanceof String status) {
            if (outcome.get("statusCode") != null || "DELIVERED".equals(status)) {
                if (drain.unreachable) {
                    LOG.info("webhook target {} answers again: delivery resumes", target);
                }
                drain.unreachableInARow = 0;
                drain.unreachable = false;
            } else if (++drain.unreachableInARow >= UNREACHABLE_IN_A_ROW) {
                Duration pause = pause(exchange.getProperty("retrySchedule", RetrySchedule.class));
                drain.pausedUntilNanos = System.nanoTime() + pause.toNanos();
                drain.unreachableInARow = 0;
                if (!drain.unreachable) {
                    LOG.warn("webhook target {} unreachable ({} attempts in a row without an answer): its deliveries pause"
                            + " for {} ms at a time until it answers", target, UNREACHABLE_IN_A_ROW, pause.toMillis());
                }
                drain.unreachable = true;
            }
        }
        notifyAll();
    }

    private static Duration pause(RetrySchedule schedule) {
        Duration first = schedule == null ? DEFAULT_PAUSE : schedule.waitAfter(1).orElse(DEFAULT_PAUSE);
        return first.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : first;
    }

    private static boolean paused(Drain drain) {
        return drain.pausedUntilNanos != 0 && System.nanoTime() - drain.pausedUntilNanos < 0;
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
        drain.lastClaimFull = claimed >= batchSize;
        boolean again = exchange.getContext().isStarted() && !paused(drain) && (claimed >= batchSize || drain.wokenWhileRunning);
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
