package io.github.imcallbackbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A target's configuration is read as written, and a mistake in it is named instead of silently ignored. */
class WebhookTargetsTest {

    @Test
    void anErpTargetWithItsOwnShapeIsReadAsConfigured() {
        WebhookTargets.Target erp = new WebhookTargets().target(context(
                "webhook.target.erp.url", "https://erp.example.com/im",
                "webhook.target.erp.events", "im.topics.destroyed, im.group.destroyed",
                "webhook.target.erp.payload-route", "direct:erp-payload"), "erp");

        assertThat(erp.events()).containsExactly("im.topics.destroyed", "im.group.destroyed");
        assertThat(erp.payloadRoute()).isEqualTo("direct:erp-payload");
    }

    @Test
    void aTargetWithoutEventsGetsOneEventPerTopicAndPerGroupButNoSummary() {
        WebhookTargets.Target crm = new WebhookTargets().target(context("webhook.target.crm.url", "http://crm/hooks"), "crm");

        assertThat(crm.events()).containsExactly("im.topic.destroyed", "im.group.destroyed");
        assertThat(crm.payloadRoute()).isNull();
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "im.callback.Group.*  | im.callback.Group.CallbackAfterNewMemberJoin | true",
            "im.callback.Group.*  | im.callback.C2C.CallbackAfterSendMsg         | false",
            "im.*                 | im.topic.destroyed                           | true",
            "*                    | im.group.destroyed                           | true",
            "im.topic.destroyed   | im.topic.destroyed                           | true",
            "im.topic.destroyed   | im.topics.destroyed                          | false",
            "im.*.CallbackAfter*  | im.callback.C2C.CallbackAfterSendMsg         | true",
            "im.*.C2C.*Send*      | im.callback.C2C.CallbackAfterSendMsg         | true"})
    void eventPatternsMatchWholeTypesWithStarForAnyText(String pattern, String type, boolean matches) {
        assertThat(WebhookTargets.matches(pattern, type)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "webhook.target.erp.events        | im.topic.destroy         | webhook.target.erp.events lists [im.topic.destroy], but the events are [im.topic.destroyed, im.topics.destroyed, im.group.destroyed]",
            "webhook.target.erp.payload-route | http://elsewhere/reshape | webhook.target.erp.payload-route must name a direct: endpoint",
            "webhook.target.erp.url           | nosuchcomponent:x?a=b    | an http(s) URL or the URI of a Camel endpoint whose component is on the classpath (kafka:topic?brokers=…), not 'nosuchcomponent:x?…'",
            "webhook.target.erp.events        | im.callback.Group.*,imx  | webhook.target.erp.events lists [imx]"})
    void aMistakeIsRefusedWithWhatIsWrong(String key, String value, String message) {
        CamelContext context = context("webhook.target.erp.url", "https://erp.example.com/im", key, value);

        assertThatThrownBy(() -> new WebhookTargets().target(context, "erp"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    private static CamelContext context(String... keysAndValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
        }
        CamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(properties);
        return context;
    }
}
