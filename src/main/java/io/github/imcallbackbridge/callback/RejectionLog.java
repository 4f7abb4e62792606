package io.github.imcallbackbridge.callback;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.camel.Exchange;

/**
 * Decides which rejected callbacks get a log line: the first of each kind (HTTP status and reason) at once, then
 * at most one of that kind every {@code callback.rejection-log-interval-seconds}, which says how many like it
 * were answered without a line since the previous one. Every rejection is still answered and counted in the
 * metric {@code im_callbacks_total{outcome="rejected"}}; only the log is spared a flood of calls that are not
 * for this application (a misrouted app, a scanner, a forger), which would otherwise cost a line each.
 * An interval of 0 logs every rejection.
 */
public class RejectionLog {

    /** Kinds kept apart; beyond this many distinct reasons, a reason shares its status's line. */
    static final int MAX_KINDS = 100;

    private static final class Kind {
        long loggedAtNanos;
        boolean logged;
        long leftOut;
    }

    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private long intervalSeconds = 10;

    public RejectionLog() {
        this(System::nanoTime);
    }

    RejectionLog(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** callback.rejection-log-interval-seconds: at most one line per kind of rejection in this time (0: every one). */
    public void setIntervalSeconds(long seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("callback.rejection-log-interval-seconds must be 0 or more, not " + seconds);
        }
        this.intervalSeconds = seconds;
    }

    /**
     * Whether this rejection (exchange properties {@code rejectionStatus} and {@code rejectionReason}, set by
     * {@link CallbackReply#fail}) is to be logged. When it is, sets {@code rejectionsLeftOut} to the line's
     * ending: empty, or how many of its kind were not logged since its kind's previous line.
     */
    public boolean due(Exchange exchange) {
        String status = String.valueOf(exchange.getProperty("rejectionStatus"));
        String key = status + ' ' + exchange.getProperty("rejectionReason");
        Kind kind = kinds.get(key);
        if (kind == null) {
            kind = kinds.size() < MAX_KINDS ? kinds.computeIfAbsent(key, k -> new Kind())
                    : kinds.computeIfAbsent(status, k -> new Kind());
        }
        long leftOut;
        synchronized (kind) {
            long now = nanoClock.getAsLong();
            if (kind.logged && now - kind.loggedAtNanos < TimeUnit.SECONDS.toNanos(intervalSeconds)) {
                kind.leftOut++;
                return false;
            }
            leftOut = kind.leftOut;
            kind.leftOut = 0;
            kind.logged = true;
            kind.loggedAtNanos = now;
        }
        exchange.setProperty("rejectionsLeftOut", leftOut == 0 ? ""
                : " (and " + leftOut + " more like it since the previous such line, which is logged at most every "
                        + intervalSeconds + " s)");
        return true;
    }
}
