package io.github.imcallbackbridge.database;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Hands a callback to the recording threads (route {@code record-in-time}) and waits for it until the callback's
 * deadline ({@code callback.deadline-ms}, counted from its arrival) less {@code journalReserveMs}, the time kept
 * for writing the journal instead. So the IM backend gets its answer in time whatever the database does.
 * <p>
 * The recording runs on a copy of the exchange, in its own transaction; its properties are copied back and its
 * failure rethrown. When the time is up, the recording queue is full or the database is unreachable,
 * {@link DatabaseUnavailableException} is thrown and the caller journals the callback. A recording still
 * under way then may commit later; the journal's replay is idempotent (topic ID; group ID and EventTime), so the
 * callback is recorded once either way.
 * <p>
 * The hand-off goes through the seda queue and its route, not a {@code ProducerTemplate} call into the recording
 * route itself: called that way, a failed callback's rows were seen committed despite the transaction's rollback.
 */
public class RecordingDeadline {

    /** The recording threads' queue (route record-in-time). */
    public static final String RECORDING_QUEUE = "seda:record-callback?size=100&waitForTaskToComplete=Never";

    /** Exchange property of the recording's copy: whether it may still commit (see {@link #stillInTime}). */
    static final String RECORDING_STATE = "recordingState";
    private static final int WAITING = 0;
    private static final int COMMITTING = 1;
    private static final int ABANDONED = 2;

    /** Exchange property: when a replayed callback's turn came (epoch milliseconds). */
    public static final String RECORDING_STARTED_AT = "recordingStartedAt";

    private DatabaseAvailability availability = new DatabaseAvailability();
    private RecordingLoad load = new RecordingLoad();
    private long deadlineMs = 1500;
    private long journalReserveMs = 250;
    private volatile ProducerTemplate producer;

    public void setAvailability(DatabaseAvailability availability) {
        this.availability = availability;
    }

    /** Where the recordings under way are counted (delivery steps back while there are many). */
    public void setLoad(RecordingLoad load) {
        this.load = load;
    }

    public void setDeadlineMs(long deadlineMs) {
        this.deadlineMs = deadlineMs;
    }

    public long getDeadlineMs() {
        return deadlineMs;
    }

    public void setJournalReserveMs(long journalReserveMs) {
        this.journalReserveMs = journalReserveMs;
    }

    /**
     * Records the exchange's callback through its recording route within its deadline. Throws
     * {@link DatabaseUnavailableException} when the database cannot take it (and notes the outage with
     * {@link DatabaseAvailability}); any other failure of the recording (the database refused this callback) is
     * rethrown as it is.
     */
    public void record(Exchange exchange) throws Exception {
        CompletableFuture<Exchange> recorded = new CompletableFuture<>();
        AtomicInteger state = new AtomicInteger(WAITING);
        Exchange copy = exchange.copy();
        copy.setProperty(RECORDING_STATE, state);
        // queued, not waited for here: the completion below is handed over to the queued exchange
        copy.setPattern(ExchangePattern.InOnly);
        // counted until the recording is over, even when this caller has stopped waiting for it
        Runnable over = load.begin(exchange);
        copy.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                over.run();
                recorded.complete(done);
            }
        });
        Exchange queued = producer(exchange).send(RECORDING_QUEUE, copy);
        if (queued.getException() != null) {
            over.run();
            throw unavailable("every recording thread is busy and the queue is full", queued.getException());
        }
        Exchange done;
        try {
            done = recorded.get(Math.max(timeLeftMs(exchange), 0), TimeUnit.MILLISECONDS);
        } catch (TimeoutException late) {
            if (state.compareAndSet(WAITING, ABANDONED)) {
                // the recording will roll back rather than commit: the caller journals the callback
                throw unavailable("the database did not record the callback within " + deadlineMs + " ms", late);
            }
            // it is committing right now: its outcome is worth the journal's share of the deadline
            try {
                done = recorded.get(journalReserveMs / 2, TimeUnit.MILLISECONDS);
            } catch (TimeoutException commitHangs) {
                throw unavailable("the database did not confirm the callback's commit within " + deadlineMs + " ms", commitHangs);
            }
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible.getCause());
        }
        Exception failure = done.getException();
        if (failure == null && done.isRollbackOnly()) {
            failure = done.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
            if (failure == null) {
                failure = new IllegalStateException("the recording transaction was rolled back");
            }
        }
        if (failure != null) {
            if (DatabaseAvailability.isOutage(failure)) {
                throw unavailable("the database is unavailable", failure);
            }
            throw failure;
        }
        for (Map.Entry<String, Object> property : done.getProperties().entrySet()) {
            exchange.setProperty(property.getKey(), property.getValue());
        }
        exchange.removeProperty(RECORDING_STATE);
    }

    /**
     * The last step of a recording transaction: it may commit only if its caller is still waiting. Once the
     * caller has given up (and journals the callback, or refuses it when the journal fails), the recording rolls
     * back, so a callback answered 503 is never recorded behind the caller's back.
     */
    public void stillInTime(Exchange exchange) {
        AtomicInteger state = exchange.getProperty(RECORDING_STATE, AtomicInteger.class);
        if (state != null && !state.compareAndSet(WAITING, COMMITTING)) {
            throw new DatabaseUnavailableException("the callback's deadline passed before its recording finished");
        }
    }

    /** Whether the caller has already given up on this recording (it is then not started at all). */
    public boolean abandoned(Exchange exchange) {
        AtomicInteger state = exchange.getProperty(RECORDING_STATE, AtomicInteger.class);
        return state != null && state.get() == ABANDONED;
    }

    private DatabaseUnavailableException unavailable(String why, Throwable failure) {
        availability.markDown(failure);
        return new DatabaseUnavailableException(why);
    }

    /**
     * The time this callback may still wait for the database, leaving the journal its share of the deadline,
     * counted from the request's arrival (the exchange's creation) or, for a journaled callback being replayed,
     * from its turn ({@code recordingStartedAt}).
     */
    long timeLeftMs(Exchange exchange) {
        Long turn = exchange.getProperty(RECORDING_STARTED_AT, Long.class);
        long start = turn != null ? turn : exchange.getClock().getCreated();
        return start + deadlineMs - journalReserveMs - System.currentTimeMillis();
    }

    private ProducerTemplate producer(Exchange exchange) {
        ProducerTemplate template = producer;
        if (template == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = exchange.getContext().createProducerTemplate();
                }
                template = producer;
            }
        }
        return template;
    }
}
