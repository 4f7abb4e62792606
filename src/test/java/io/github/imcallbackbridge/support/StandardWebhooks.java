package io.github.imcallbackbridge.support;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The oracle the tests check the bridge's webhook signatures with: Standard Webhooks, written from the
 * specification without the application's code (checked against the specification's example in
 * WebhookSignatureTest).
 */
public final class StandardWebhooks {

    private StandardWebhooks() {
    }

    /** {@code v1,<base64 HMAC-SHA256(key, id.timestamp.body)>} for a {@code whsec_…} (or bare base64) secret. */
    public static String signature(String secret, String id, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.replaceFirst("^whsec_", "")), "HmacSHA256"));
            return "v1," + Base64.getEncoder().encodeToString(
                    mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
