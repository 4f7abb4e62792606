package io.github.imcallbackbridge.callback;

import java.nio.charset.CharacterCodingException;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCacheException;

/**
 * Writes the FAIL reply for a callback the route could not accept:
 * {@code {"ActionStatus":"FAIL","ErrorCode":<HTTP status>,"ErrorInfo":"<why>"}}.
 * Only messages written by this project reach the caller; anything unexpected becomes a generic 500
 * without exception names or stack traces.
 */
public class CallbackReply {

    private static final ObjectMapper JSON = new ObjectMapper();

    public void fail(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status;
        String info;
        if (cause instanceof CallbackRejectedException rejected) {
            status = rejected.getHttpStatus();
            info = rejected.getMessage();
        } else if (cause instanceof JsonProcessingException) {
            status = 400;
            info = "the request body is not valid JSON";
        } else if (causedBy(cause, CharacterCodingException.class) || causedBy(cause, StreamCacheException.class)) {
            // The HTTP consumer decodes the body as UTF-8 while caching it, before the route's own check;
            // on Tomcat a malformed byte sequence surfaces only as a failure to read the body.
            status = 400;
            info = "the request body could not be read as UTF-8 text";
        } else {
            status = 500;
            info = "the callback could not be recorded; nothing was stored";
        }
        exchange.setProperty("rejectionStatus", status);
        exchange.setProperty("rejectionReason", info);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        // with its Content-Length, in one write, like the OK reply
        exchange.getMessage().setHeader(Exchange.HTTP_CHUNKED, false);
        exchange.getMessage().setBody(failJson(status, info));
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** {@code {"ActionStatus":"FAIL","ErrorCode":status,"ErrorInfo":info}}. */
    public static String failJson(int status, String info) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ActionStatus", "FAIL");
        reply.put("ErrorCode", status);
        reply.put("ErrorInfo", info);
        try {
            return JSON.writeValueAsString(reply);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and numbers is always serialisable", e);
        }
    }
}
