package io.github.imcallbackbridge.delivery;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signing: {@code webhook-signature: v1,<base64 HMAC-SHA256(key, id.timestamp.body)>}.
 * A secret is base64, optionally prefixed with {@code whsec_} (as Svix and the Standard Webhooks libraries
 * print it); the key is the decoded bytes.
 */
public final class WebhookSignature {

    private static final String PREFIX = "whsec_";

    private final byte[] key;

    private WebhookSignature(byte[] key) {
        this.key = key;
    }

    /** @throws IllegalArgumentException if the secret is not base64 (after an optional whsec_ prefix) */
    public static WebhookSignature fromSecret(String secret) {
        String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        try {
            byte[] key = Base64.getDecoder().decode(encoded);
            if (key.length == 0) {
                throw new IllegalArgumentException("a webhook secret must not be empty");
            }
            return new WebhookSignature(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret must be base64, optionally prefixed with whsec_");
        }
    }

    public String sign(String id, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSignature[key hidden]";
    }
}
