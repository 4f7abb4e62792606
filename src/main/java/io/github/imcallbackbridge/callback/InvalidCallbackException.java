package io.github.imcallbackbridge.callback;

/**
 * Thrown by the route itself (YAML {@code throwException}) for a malformed callback: answered with 400.
 */
public class InvalidCallbackException extends CallbackRejectedException {

    public InvalidCallbackException(String errorInfo) {
        super(400, errorInfo);
    }
}
