package io.github.imcallbackbridge.database;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;

/**
 * How much recording is under way: the topics of the callbacks being recorded right now (a callback without
 * topics counts as one). {@link RecordingDeadline} counts each recording from its hand-off until it is over,
 * committed or not; delivery asks {@link #busy()} before each claim and steps back while it is true, because a
 * callback must be committed within IM's 2-second deadline and is never sent again, while a webhook can wait a
 * moment (see {@code TargetDrains.sizeRound}).
 * <p>
 * Busy from {@code busyTopics} topics at once ({@code webhook.yield-to-recording-topics}, default 50): a
 * 1,000-topic callback, or 16 callbacks of 10 topics, but not a steady trickle of small ones. 0 turns it off.
 */
public class RecordingLoad {

    private final AtomicInteger topics = new AtomicInteger();
    private volatile int busyTopics = 50;

    public void setBusyTopics(int busyTopics) {
        if (busyTopics < 0) {
            throw new IllegalArgumentException("webhook.yield-to-recording-topics must be 0 (never) or more, not " + busyTopics);
        }
        this.busyTopics = busyTopics;
    }

    /**
     * Counts the exchange's callback as being recorded (its {@code topicRecords}, or one) and answers what ends
     * that: safe to call more than once, only the first call counts.
     */
    public Runnable begin(Exchange exchange) {
        int weight = Math.max(1, exchange.getProperty("topicRecords", List.of(), List.class).size());
        topics.addAndGet(weight);
        AtomicBoolean over = new AtomicBoolean();
        return () -> {
            if (over.compareAndSet(false, true)) {
                topics.addAndGet(-weight);
            }
        };
    }

    /** The topics being recorded now. */
    public int topics() {
        return topics.get();
    }

    /** Whether recording is heavy enough that delivery should step back. */
    public boolean busy() {
        int threshold = busyTopics;
        return threshold > 0 && topics.get() >= threshold;
    }
}
