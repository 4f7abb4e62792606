package io.github.imcallbackbridge.callback;

/**
 * Thrown by the route itself (YAML {@code throwException}) when a callback is not for this application.
 */
public class CallbackForbiddenException extends CallbackRejectedException {

    public CallbackForbiddenException(String errorInfo) {
        super(403, errorInfo);
    }
}
