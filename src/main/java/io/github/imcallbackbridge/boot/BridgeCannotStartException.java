package io.github.imcallbackbridge.boot;

/** A start that cannot work, with the one sentence that says why (reported by {@link StartFailureReport}). */
public class BridgeCannotStartException extends RuntimeException {

    public BridgeCannotStartException(String reason) {
        super(reason);
    }
}
