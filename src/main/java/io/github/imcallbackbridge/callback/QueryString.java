package io.github.imcallbackbridge.callback;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;

/**
 * The request's own query string, decoded. Camel's HTTP consumers also copy request headers into message
 * headers under the same names as query parameters, so whatever must come from the URL is read here.
 */
public final class QueryString {

    private QueryString() {
    }

    /**
     * The query string of the request in the exchange: Spring Boot's platform-http puts the undecoded query in
     * CamelHttpQuery; other runtimes may provide CamelHttpRawQuery.
     */
    public static Map<String, List<String>> of(Exchange exchange) {
        String raw = exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        if (raw == null) {
            raw = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        }
        return parse(raw);
    }

    /**
     * Every parameter with all its values, in order. {@code a} and {@code a=} both give an empty value.
     *
     * @throws CallbackRejectedException (400) when the percent-encoding is broken
     */
    public static Map<String, List<String>> parse(String raw) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return parameters;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        parameters.replaceAll((name, values) -> Collections.unmodifiableList(values));
        return parameters;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw CallbackRejectedException.invalid("the query string is not correctly URL-encoded");
        }
    }
}
