package io.github.imcallbackbridge.callback;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;

import org.apache.camel.Exchange;

/**
 * Tencent Cloud IM callback authentication. With a token configured in the IM console, the IM backend adds
 * {@code RequestTime} (Unix seconds) and {@code Sign = lowercase_hex(SHA-256(token + RequestTime))} to the
 * callback URL. This class checks both: the signature in constant time, the time within a tolerance of
 * the local clock. Without a token, every callback passes (the SdkAppid check still applies).
 * <p>
 * Reads the exchange properties {@code sign} and {@code requestTime} set by {@link CallbackQuery}. Neither
 * the token nor the received signature ever appears in an exception message.
 */
public class CallbackSignature {

    private byte[] token = new byte[0];
    private final java.util.Map<String, byte[]> appTokens = new java.util.concurrent.ConcurrentHashMap<>();
    private long toleranceSeconds = 60;
    private Clock clock = Clock.systemUTC();

    public void setToken(String token) {
        this.token = token == null ? new byte[0] : token.trim().getBytes(StandardCharsets.UTF_8);
    }

    public void setToleranceSeconds(long toleranceSeconds) {
        this.toleranceSeconds = toleranceSeconds;
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }

    /** Whether a token is configured, so that unsigned callbacks are refused. */
    public boolean isEnabled() {
        return token.length > 0;
    }

    /**
     * Checks the signature with the token of the callback's app ({@code im.callback-token-<SDKAPPID>}, env
     * IM_CALLBACK_TOKEN_<SDKAPPID>) or else the default token; without either, every callback passes.
     */
    public void verify(Exchange exchange) {
        byte[] token = tokenOf(exchange);
        if (token.length == 0) {
            return;
        }
        String requestTime = exchange.getProperty("requestTime", String.class);
        String sign = exchange.getProperty("sign", String.class);
        if (requestTime == null || sign == null) {
            throw CallbackRejectedException.forbidden("Sign and RequestTime query parameters are required");
        }
        if (!requestTime.matches("[0-9]{1,12}")) {
            throw CallbackRejectedException.forbidden("RequestTime must be a Unix time in seconds");
        }
        long skew = Math.abs(clock.instant().getEpochSecond() - Long.parseLong(requestTime));
        if (skew > toleranceSeconds) {
            throw CallbackRejectedException.forbidden(
                    "RequestTime is more than " + toleranceSeconds + " seconds away from the server's clock");
        }
        byte[] expected = expectedSign(token, requestTime).getBytes(StandardCharsets.US_ASCII);
        byte[] received = sign.toLowerCase().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, received)) {
            throw CallbackRejectedException.forbidden("Sign does not match; check the callback token");
        }
    }

    /** The token of the callback's app, read once per app; the default token when it has none of its own. */
    private byte[] tokenOf(Exchange exchange) {
        String sdkAppId = exchange.getProperty("sdkAppId", String.class);
        if (sdkAppId == null || !sdkAppId.matches("[0-9]{1,20}")) {
            return token;
        }
        return appTokens.computeIfAbsent(sdkAppId, id -> exchange.getContext().getPropertiesComponent()
                .resolveProperty("im.callback-token-" + id).filter(t -> !t.isBlank())
                .map(t -> t.trim().getBytes(StandardCharsets.UTF_8)).orElse(token));
    }

    /** {@code lowercase_hex(SHA-256(token + requestTime))} with the default token. */
    String expectedSign(String requestTime) {
        return expectedSign(token, requestTime);
    }

    private static String expectedSign(byte[] token, String requestTime) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(token);
            sha256.update(requestTime.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
