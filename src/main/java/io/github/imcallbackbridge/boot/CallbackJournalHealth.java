package io.github.imcallbackbridge.boot;

import io.github.imcallbackbridge.journal.CallbackJournal;
import org.apache.camel.CamelContext;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code callbackJournal} in {@code /actuator/health}: the callbacks waiting in the journal for the database,
 * and whether the journal can be written. Part of readiness: the instance can take callbacks while either the
 * database or the journal can hold them; DOWN when the journal cannot be written.
 */
@Component("callbackJournalHealthIndicator")
public class CallbackJournalHealth implements HealthIndicator {

    private final CamelContext camel;

    public CallbackJournalHealth(CamelContext camel) {
        this.camel = camel;
    }

    @Override
    public Health health() {
        CallbackJournal journal = camel.getRegistry().lookupByNameAndType("callbackJournal", CallbackJournal.class);
        if (journal == null) {
            return Health.unknown().withDetail("reason", "the routes are not loaded yet").build();
        }
        Health.Builder health = journal.isWritable() ? Health.up() : Health.down();
        health.withDetail("recordsWaiting", journal.waitingRecords())
                .withDetail("directory", journal.getDirectory().toAbsolutePath().normalize().toString());
        if (journal.isUsedElsewhere()) {
            health.withDetail("reason", "the folder is in use by another process: give each instance its own CALLBACK_JOURNAL_DIR");
        }
        if (journal.lastWriteFailure() != null) {
            health.withDetail("lastWriteFailure", journal.lastWriteFailure());
        }
        return health.build();
    }
}
