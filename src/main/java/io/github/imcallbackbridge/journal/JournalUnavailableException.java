package io.github.imcallbackbridge.journal;

import io.github.imcallbackbridge.callback.CallbackRejectedException;

/**
 * Neither the database nor the journal could take a callback: it is refused at once with 503, so that the IM
 * backend (with its retry option on) may send it again, rather than acknowledged and lost.
 */
public class JournalUnavailableException extends CallbackRejectedException {

    public JournalUnavailableException() {
        super(503, "the database is unavailable and the local journal cannot be written; nothing was stored");
    }
}
