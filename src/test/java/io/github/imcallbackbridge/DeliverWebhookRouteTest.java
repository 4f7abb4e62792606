package io.github.imcallbackbridge;

import io.github.imcallbackbridge.support.StandardWebhooks;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.UseAdviceWith;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * One route tested on its own, as an integration engineer would when changing it: the {@code deliver-webhook}
 * route with its HTTP call and its SQL steps replaced by mocks (advice by step id), so neither a target nor
 * the outbox is touched. Copy this shape to test a route you add.
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
        "spring.datasource.url=jdbc:h2:mem:deliver-webhook-route;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
        "webhook.targets=crm",
        "webhook.target.crm.url=http://crm.invalid/hooks",
        "webhook.target.crm.secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "webhook.target.crm.retry-schedule=5s,30s",
        "demo.crm.enabled=false"})
@UseAdviceWith
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DeliverWebhookRouteTest {

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate template;

    MockEndpoint target;
    MockEndpoint attempts;

    @BeforeEach
    void adviseOnce() throws Exception {
        if (!camel.isStarted()) {
            AdviceWith.adviceWith(camel, "deliver-webhook", route -> {
                route.weaveById("post-webhook").replace().to("mock:target");
                route.weaveById("record-attempt").replace().to("mock:attempts");
            });
            camel.start();
        }
        target = camel.getEndpoint("mock:target", MockEndpoint.class);
        attempts = camel.getEndpoint("mock:attempts", MockEndpoint.class);
        MockEndpoint.resetMocks(camel);
    }

    @Test
    void aDeliveryIsPostedSignedWithOnlyTheWebhookHeadersAndMarkedDelivered() throws Exception {
        target.expectedMessageCount(1);
        target.expectedBodiesReceived("{\"type\":\"im.topic.destroyed\"}");
        target.expectedHeaderReceived("webhook-id", "evt_1");
        attempts.expectedMessageCount(1);

        template.send("direct:deliver-webhook", exchange -> {
            exchange.getMessage().setHeader("X-Inbound", "must not leak");
            exchange.getMessage().setBody(row());
        });

        MockEndpoint.assertIsSatisfied(camel);
        assertThat(attempts.getExchanges().get(0).getMessage().getBody(Map.class))
                .containsEntry("status", "DELIVERED").containsEntry("deliveryId", 7L).containsEntry("leaseToken", "lease-1");
        Map<String, Object> headers = target.getExchanges().get(0).getMessage().getHeaders();
        assertThat(headers).containsKeys("webhook-id", "webhook-timestamp", "webhook-signature", "Content-Type")
                .doesNotContainKey("X-Inbound");
        String signature = (String) headers.get("webhook-signature");
        assertThat(signature).isEqualTo(StandardWebhooks.signature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                "evt_1", (String) headers.get("webhook-timestamp"), "{\"type\":\"im.topic.destroyed\"}"));
        assertThat(target.getExchanges().get(0).getProperty("targetUri", String.class))
                .startsWith("http://crm.invalid/hooks?").contains("followRedirects=false");
    }

    @Test
    void aFailedAttemptIsRecordedAndRescheduledOnTheTargetsSchedule() throws Exception {
        target.whenAnyExchangeReceived(exchange -> {
            throw new HttpOperationFailedException("http://crm.invalid/hooks", 503, "Service Unavailable", null, null, "busy");
        });
        attempts.expectedMessageCount(1);

        template.send("direct:deliver-webhook", exchange -> exchange.getMessage().setBody(row()));

        MockEndpoint.assertIsSatisfied(camel);
        @SuppressWarnings("unchecked")
        Map<String, Object> outcome = attempts.getExchanges().get(0).getMessage().getBody(Map.class);
        assertThat(outcome).containsEntry("status", "PENDING").containsEntry("statusCode", 503)
                .containsEntry("error", "HTTP 503").containsEntry("responseBody", "busy").containsEntry("deliveryId", 7L);
    }

    private static Map<String, Object> row() {
        Map<String, Object> row = new HashMap<>();
        row.put("id", 7L);
        row.put("event_id", "evt_1");
        row.put("event_type", "im.topic.destroyed");
        row.put("target", "crm");
        row.put("payload", "{\"type\":\"im.topic.destroyed\"}");
        row.put("attempts", 0);
        row.put("lease_token", "lease-1");
        return row;
    }
}
