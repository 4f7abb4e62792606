package io.github.imcallbackbridge.database;

/**
 * The database cannot take a callback now (unreachable, refusing, out of resources, or too slow for the
 * callback's deadline): the callback route journals the callback instead; the journal's replay stops and tries
 * again later.
 */
public class DatabaseUnavailableException extends RuntimeException {

    public DatabaseUnavailableException(String message) {
        super(message, null, false, false);
    }
}
