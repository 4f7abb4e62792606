package io.github.imcallbackbridge.callback;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The first step for each topic of {@code split-topics}: the topic record's {@code groupId}, {@code topicId},
 * {@code eventId} and {@code recorded} (true when new) as exchange variables, read by the steps after it as
 * {@code ${variable.topicId}}. A variable is a plain lookup; {@code ${body[topicId]}} would be a bean call with a
 * copy of the exchange, four or five times per topic.
 */
public class TopicVariables implements Processor {

    @Override
    public void process(Exchange exchange) {
        Map<?, ?> topic = exchange.getMessage().getBody(Map.class);
        exchange.setVariable("groupId", topic.get("groupId"));
        exchange.setVariable("topicId", topic.get("topicId"));
        exchange.setVariable("eventId", topic.get("eventId"));
        exchange.setVariable("recorded", Boolean.TRUE.equals(topic.get("recorded")));
    }
}
