package io.github.imcallbackbridge.callback;

import org.apache.camel.Exchange;

/**
 * The request body as text, refused when it is not UTF-8 text. The IM backend sends UTF-8 JSON; the HTTP consumer has already
 * decoded the bytes as UTF-8, replacing malformed sequences with U+FFFD, so a body that contains U+FFFD
 * is refused as not valid UTF-8 rather than recorded with silently damaged IDs. An empty body is refused.
 */
public class CallbackBody {

    private static final char REPLACEMENT_CHARACTER = '\uFFFD';

    /** The body as text; a 400 when it is empty or was not valid UTF-8. */
    public String utf8Text(Exchange exchange) {
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
