package io.github.imcallbackbridge.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** Tencent's callback authentication: Sign = lowercase_hex(SHA-256(token + RequestTime)), ±60 s. */
class CallbackSignatureTest {

    private static final String TOKEN = "xxxxyyyy";
    private static final String REQUEST_TIME = "1669872112";
    private static final String PUBLISHED_SIGN = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061";

    private final CallbackSignature signature = new CallbackSignature();

    CallbackSignatureTest() {
        signature.setToken(TOKEN);
        signature.setClock(Clock.fixed(Instant.ofEpochSecond(1669872112L), ZoneOffset.UTC));
    }

    @Test
    void tencentsPublishedVectorMatches() {
        assertThat(signature.expectedSign(REQUEST_TIME)).isEqualTo(PUBLISHED_SIGN);
        signature.verify(callback(REQUEST_TIME, PUBLISHED_SIGN));
    }

    @Test
    void theSignIsComparedWithoutRegardToHexCase() {
        signature.verify(callback(REQUEST_TIME, PUBLISHED_SIGN.toUpperCase()));
    }

    @Test
    void aRequestTimeWithinSixtySecondsIsAccepted() {
        signature.setClock(Clock.fixed(Instant.ofEpochSecond(1669872112L + 60), ZoneOffset.UTC));
        signature.verify(callback(REQUEST_TIME, PUBLISHED_SIGN));
        signature.setClock(Clock.fixed(Instant.ofEpochSecond(1669872112L - 60), ZoneOffset.UTC));
        signature.verify(callback(REQUEST_TIME, PUBLISHED_SIGN));
    }

    @Test
    void aRequestTimeMoreThanSixtySecondsAwayIsRefused() {
        signature.setClock(Clock.fixed(Instant.ofEpochSecond(1669872112L + 61), ZoneOffset.UTC));
        assertForbidden(callback(REQUEST_TIME, PUBLISHED_SIGN), "RequestTime");
        signature.setClock(Clock.fixed(Instant.ofEpochSecond(1669872112L - 61), ZoneOffset.UTC));
        assertForbidden(callback(REQUEST_TIME, PUBLISHED_SIGN), "RequestTime");
    }

    @Test
    void aWrongSignIsRefusedWithoutRevealingEitherValue() {
        String wrong = PUBLISHED_SIGN.substring(0, 63) + "0";
        assertThatThrownBy(() -> signature.verify(callback(REQUEST_TIME, wrong)))
                .isInstanceOf(CallbackRejectedException.class)
                .hasMessageNotContaining(wrong).hasMessageNotContaining(PUBLISHED_SIGN).hasMessageNotContaining(TOKEN);
    }

    @Test
    void missingOrMalformedParametersAreRefused() {
        assertForbidden(callback(null, PUBLISHED_SIGN), "required");
        assertForbidden(callback(REQUEST_TIME, null), "required");
        assertForbidden(callback("1669872112.5", PUBLISHED_SIGN), "RequestTime");
        assertForbidden(callback("-1669872112", PUBLISHED_SIGN), "RequestTime");
    }

    @Test
    void withoutATokenEveryCallbackPasses() {
        CallbackSignature off = new CallbackSignature();
        off.setToken("");
        assertThat(off.isEnabled()).isFalse();
        off.verify(callback(null, null));
    }

    private void assertForbidden(Exchange exchange, String mentions) {
        assertThatThrownBy(() -> signature.verify(exchange))
                .isInstanceOfSatisfying(CallbackRejectedException.class,
                        e -> assertThat(e.getHttpStatus()).isEqualTo(403))
                .hasMessageContaining(mentions);
    }

    private static Exchange callback(String requestTime, String sign) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty("requestTime", requestTime);
        exchange.setProperty("sign", sign);
        return exchange;
    }
}
