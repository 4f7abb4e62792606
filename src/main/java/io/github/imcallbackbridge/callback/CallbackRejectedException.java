package io.github.imcallbackbridge.callback;

/**
 * A callback the bridge refuses. The message is shown to the caller as {@code ErrorInfo}, so it must
 * describe the problem without echoing client input or any secret.
 */
public class CallbackRejectedException extends RuntimeException {

    private final int httpStatus;

    public CallbackRejectedException(int httpStatus, String errorInfo) {
        super(errorInfo, null, false, false);
        this.httpStatus = httpStatus;
    }

    /** 400: the request is malformed or breaks the protocol. */
    public static CallbackRejectedException invalid(String errorInfo) {
        return new CallbackRejectedException(400, errorInfo);
    }

    /** 403: the request is not for this application or is not authentic. */
    public static CallbackRejectedException forbidden(String errorInfo) {
        return new CallbackRejectedException(403, errorInfo);
    }

    public int getHttpStatus() {
        return httpStatus;
    }
}
