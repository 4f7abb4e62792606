package io.github.imcallbackbridge;

import org.apache.camel.Exchange;

/**
 * Turns the request body into text. The IM backend sends UTF-8 JSON; the HTTP consumer has already
 * decoded the bytes as UTF-8, replacing malformed sequences with U+FFFD, so a body that contains U+FFFD
 * is refused as not valid UTF-8 rather than recorded with silently damaged IDs. An empty body is refused.
 */
public class CallbackBody {

    private static final char REPLACEMENT_CHARACTER = '\uFFFD';

    public String decode(Exchange exchange) {
        String text = exchange.getMessage().getBody(String.class);
        if (text == null || text.isBlank()) {
            throw CallbackRejectedException.invalid("the request body is empty; a JSON object is expected");
        }
        if (text.indexOf(REPLACEMENT_CHARACTER) >= 0) {
            throw CallbackRejectedException.invalid("the request body is not valid UTF-8");
        }
        return text;
    }
}
