package io.github.imcallbackbridge.database;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.Exchange;

/**
 * What delivery could not write while the database was away, kept until it is back, so that delivery resumes at
 * once instead of after the leases expire:
 * <ul>
 * <li>outcomes of attempts made just before the outage (a batch {@code write-attempts} could not write): written
 * when the database is back, so a delivered webhook is not sent again;</li>
 * <li>leases of deliveries claimed but never handed to a delivery thread (the drain failed between its claim and
 * its hand-off): released when the database is back, so they are claimed again at once.</li>
 * </ul>
 * Both are in memory: after a crash, the leases expire as they always have.
 */
public class OutageRecovery {

    private final List<List<Map<String, Object>>> outcomes = new ArrayList<>();
    private final Set<String> leases = new LinkedHashSet<>();

    /**
     * Keeps the batch of outcomes write-attempts was given (property {@code outcomeBatch}: not the body, which
     * the transaction's last steps replace, so a failed commit would otherwise hold the wrong thing).
     */
    public synchronized void holdOutcomes(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> batch = exchange.getProperty("outcomeBatch", List.class);
        if (batch != null && !batch.isEmpty()) {
            outcomes.add(new ArrayList<>(batch));
        }
    }

    /** Keeps the drain's current lease when none of its deliveries was handed to a delivery thread yet. */
    public synchronized void holdUnusedLease(Exchange exchange) {
        String lease = exchange.getProperty("batchLeaseToken", String.class);
        if (lease != null && !exchange.getProperty("batchHandedOff", false, Boolean.class)) {
            leases.add(lease);
        }
    }

    /** The held batches of outcomes, each to be written again; forgotten here. */
    public synchronized List<List<Map<String, Object>>> outcomesToWrite() {
        List<List<Map<String, Object>>> taken = new ArrayList<>(outcomes);
        outcomes.clear();
        return taken;
    }

    /** The held leases, each to be released; forgotten here. */
    public synchronized List<String> leasesToRelease() {
        List<String> taken = new ArrayList<>(leases);
        leases.clear();
        return taken;
    }
}
