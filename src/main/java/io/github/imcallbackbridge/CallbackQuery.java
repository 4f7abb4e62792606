package io.github.imcallbackbridge;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.apache.camel.Exchange;

/**
 * Reads the query parameters the IM backend appends to the callback URL.
 * <p>
 * Camel's HTTP consumers copy query parameters <em>and</em> request headers into message headers under
 * the same names, so a client could pass {@code SdkAppid} as an HTTP header. This class reads the raw query
 * string only and stores what it found as exchange properties:
 * {@code sdkAppId}, {@code callbackCommand}, {@code clientIp}, {@code optPlatform}, {@code requestTime},
 * {@code sign}. A parameter given twice with different values is rejected.
 */
public class CallbackQuery {

    /** Query parameter name (as Tencent spells it) to exchange property name. */
    private static final Map<String, String> PARAMETERS = Map.of(
            "SdkAppid", "sdkAppId",
            "CallbackCommand", "callbackCommand",
            "ClientIP", "clientIp",
            "OptPlatform", "optPlatform",
            "RequestTime", "requestTime",
            "Sign", "sign");

    private static final int MAX_VALUE_LENGTH = 256;

    public void read(Exchange exchange) {
        // Spring Boot's platform-http puts the undecoded query in CamelHttpQuery; other runtimes may
        // provide CamelHttpRawQuery as well.
        String raw = exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        if (raw == null) {
            raw = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        }
        Map<String, String> found = parse(raw);
        found.forEach((name, value) -> exchange.setProperty(PARAMETERS.get(name), value));
    }

    static Map<String, String> parse(String rawQuery) {
        Map<String, String> found = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return found;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (!PARAMETERS.containsKey(name)) {
                continue;
            }
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (value.length() > MAX_VALUE_LENGTH) {
                throw CallbackRejectedException.invalid("query parameter " + name + " is too long");
            }
            String earlier = found.putIfAbsent(name, value);
            if (earlier != null && !earlier.equals(value)) {
                throw CallbackRejectedException.invalid(
                        "query parameter " + name + " is given more than once with different values");
            }
        }
        found.values().removeIf(String::isEmpty);
        return found;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw CallbackRejectedException.invalid("the query string is not correctly URL-encoded");
        }
    }
}
