package io.github.imcallbackbridge;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * Describes why a delivery attempt failed, for the outbox row and the log, without the target URL
 * (which may carry credentials) or the request headers.
 */
public class DeliveryFailure {

    private static final int MAX_LENGTH = 500;

    /** The HTTP status the target answered, or null when no response arrived. */
    public Integer statusCode(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return cause instanceof HttpOperationFailedException http ? http.getStatusCode() : null;
    }

    public String describe(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause == null) {
            return "unknown failure";
        }
        if (cause instanceof HttpOperationFailedException http) {
            return "HTTP " + http.getStatusCode();
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName();
        String message = root.getMessage();
        if (message != null) {
            text += ": " + message.replaceAll("[a-zA-Z][a-zA-Z0-9+.-]*://\\S+", "<target>");
        }
        return text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) : text;
    }
}
