package io.github.imcallbackbridge;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

/**
 * Writes the FAIL reply for a callback the route could not accept:
 * {@code {"ActionStatus":"FAIL","ErrorCode":<HTTP status>,"ErrorInfo":"<why>"}}.
 * Only messages written by this project reach the caller; anything unexpected becomes a generic 500
 * without exception names or stack traces.
 */
public class CallbackReply {

    private static final ObjectMapper JSON = new ObjectMapper();

    public void fail(Exchange exchange) throws JsonProcessingException {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status;
        String info;
        if (cause instanceof CallbackRejectedException rejected) {
            status = rejected.getHttpStatus();
            info = rejected.getMessage();
        } else if (cause instanceof JsonProcessingException) {
            status = 400;
            info = "the request body is not valid JSON";
        } else {
            status = 500;
            info = "the callback could not be recorded; nothing was stored";
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ActionStatus", "FAIL");
        reply.put("ErrorCode", status);
        reply.put("ErrorInfo", info);
        exchange.setProperty("rejectionStatus", status);
        exchange.setProperty("rejectionReason", info);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(JSON.writeValueAsString(reply));
    }
}
