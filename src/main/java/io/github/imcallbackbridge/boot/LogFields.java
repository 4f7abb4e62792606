package io.github.imcallbackbridge.boot;

import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelLogger;
import org.apache.camel.spi.LogListener;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;

/**
 * Puts {@code callbackId}, {@code groupId}, {@code topicId}, {@code eventId} (the webhook-id) and {@code target}
 * into the logging context (MDC) for each line a route's {@code log} step writes, where they apply, so that with
 * {@code LOG_FORMAT=json} they are fields of the line and one search for a topic ID finds its callback, its
 * recording and every delivery attempt. The fields of a line stay in the thread's context until its next route
 * log line (a log step cannot be followed by a cleanup); nothing else in this application uses those keys.
 */
@Component
public class LogFields implements LogListener, CamelContextConfiguration {

    static final List<String> KEYS = List.of("callbackId", "groupId", "topicId", "eventId", "target");

    @Override
    public void beforeApplicationStart(CamelContext context) {
        context.getCamelContextExtension().addLogListener(this);
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
        // the listener is in place before the routes start
    }

    @Override
    public String onLog(Exchange exchange, CamelLogger camelLogger, String message) {
        KEYS.forEach(MDC::remove);
        Map<?, ?> callback = exchange.getProperty("callbackRecord", Map.class);
        put("callbackId", callback != null ? callback.get("callbackId") : exchange.getProperty("journaledCallbackId"));
        put("groupId", field(exchange, "groupId"));
        put("topicId", field(exchange, "topicId"));
        put("eventId", field(exchange, "eventId"));
        put("target", exchange.getProperty("target"));
        return message;
    }

    /** A topic's field (the variable split-topics sets for each topic), else the property of that name. */
    private static Object field(Exchange exchange, String key) {
        Object value = exchange.getVariable(key);
        return value != null ? value : exchange.getProperty(key);
    }

    private static void put(String key, Object value) {
        if (value != null) {
            MDC.put(key, value.toString());
        }
    }
}
