package io.github.imcallbackbridge.callback;

import java.util.List;
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
        Map<String, List<String>> query = QueryString.of(exchange);
        PARAMETERS.forEach((name, property) -> {
            List<String> values = query.get(name);
            if (values == null) {
                return;
            }
            if (values.stream().distinct().count() > 1) {
                throw CallbackRejectedException.invalid(
                        "query parameter " + name + " is given more than once with different values");
            }
            String value = values.get(0);
            if (value.length() > MAX_VALUE_LENGTH) {
                throw CallbackRejectedException.invalid("query parameter " + name + " is too long");
            }
            if (!value.isEmpty()) {
                exchange.setProperty(property, value);
            }
        });
    }
}
