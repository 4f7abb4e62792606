package io.github.imcallbackbridge.delivery;

import io.github.imcallbackbridge.support.StandardWebhooks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Standard Webhooks signing, against the specification's published example. */
class WebhookSignatureTest {

    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long TIMESTAMP = 1614265330L;
    private static final String BODY = "{\"test\": 2432232314}";
    private static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    @Test
    void theSpecificationsExampleIsReproducedWithTheWhsecPrefix() {
        assertThat(WebhookSignature.fromSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(ID, TIMESTAMP, BODY))
                .isEqualTo(EXPECTED);
    }

    @Test
    void theTestsIndependentVerifierReproducesItToo() throws Exception {
        // the oracle every delivery test checks the bridge's signatures with
        assertThat(StandardWebhooks.signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ID, String.valueOf(TIMESTAMP), BODY))
                .isEqualTo(EXPECTED);
    }

    @Test
    void andWithoutIt() {
        assertThat(WebhookSignature.fromSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").sign(ID, TIMESTAMP, BODY))
                .isEqualTo(EXPECTED);
    }

    @Test
    void aSecretThatIsNotBase64IsRefusedWithoutBeingShown() {
        assertThatThrownBy(() -> WebhookSignature.fromSecret("whsec_not base64!"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("not base64!");
        assertThat(WebhookSignature.fromSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").toString())
                .doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }
}
