package io.github.imcallbackbridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * A payload route tested on its own, with nothing but that route loaded: no database, no HTTP, no target.
 * The shape to copy when adding a target with its own payload shape (routes/README.md): send a standard
 * body and the {@code webhook-id} header in, check the document that comes out.
 */
@CamelSpringBootTest
@SpringBootTest(properties = {
        "camel.main.routes-include-pattern=file:examples/erp-target/erp-payload.camel.yaml",
        "spring.datasource.url=jdbc:h2:mem:erp-payload-route;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ErpPayloadRouteTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    ProducerTemplate template;

    @Test
    void theStandardSummaryBecomesTheErpsFlatDocument() throws Exception {
        String standard = """
                {"type":"im.topics.destroyed","timestamp":"2026-11-26T05:05:01.483Z",
                 "data":{"sdkAppId":"1400000000","groupId":"@TGS#_g","groupType":"Community",
                         "topicIds":["@TGS#_g@TOPIC#_a","@TGS#_g@TOPIC#_b"],"topicCount":2}}""";

        Object out = template.requestBodyAndHeader("direct:erp-payload", standard, "webhook-id", "evt_1");

        JsonNode document = JSON.readTree(String.valueOf(out));
        assertThat(document).isEqualTo(JSON.readTree("""
                {"doc_type":"IM_TOPICS_CLOSED","doc_id":"evt_1","app_id":"1400000000","group_id":"@TGS#_g",
                 "group_type":"Community","topic_count":2,"topic_ids":"@TGS#_g@TOPIC#_a,@TGS#_g@TOPIC#_b",
                 "closed_at":"2026-11-26T05:05:01.483Z"}"""));
    }

    @Test
    void aMissingGroupTypeIsNullNotAnError() throws Exception {
        String standard = """
                {"type":"im.topics.destroyed","timestamp":"2026-11-26T05:05:01.483Z",
                 "data":{"sdkAppId":"1","groupId":"g","groupType":null,"topicIds":["g@TOPIC#_a"],"topicCount":1}}""";

        JsonNode document = JSON.readTree(String.valueOf(
                template.requestBodyAndHeader("direct:erp-payload", standard, "webhook-id", "evt_2")));

        assertThat(document.get("group_type").isNull()).isTrue();
        assertThat(document.get("topic_ids").asText()).isEqualTo("g@TOPIC#_a");
    }
}
