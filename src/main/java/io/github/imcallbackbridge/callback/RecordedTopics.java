package io.github.imcallbackbridge.callback;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.Exchange;

/**
 * Which topics of a callback the multi-row insert recorded for the first time. The insert ({@code ON CONFLICT
 * DO NOTHING}) tells only how many rows it added ({@code newTopicCount}): all of them (the usual case) or none
 * (a repeated callback) settle it. Any other count ({@link #readBackNeeded}: a callback that repeats only part
 * of an earlier one) means the route reads back the topics recorded under this callback's ID, and they are the
 * body of {@link #mark}.
 * <p>
 * {@link #mark} marks every record of {@code topicRecords} with {@code recorded} (true: new, its webhooks are
 * queued), sets {@code newTopicCount} to the number of new topics and answers it.
 */
public class RecordedTopics {

    /** True when the insert's count is neither all nor none of the callback's topics. */
    public boolean readBackNeeded(Exchange exchange) {
        int newTopics = exchange.getProperty("newTopicCount", 0, Integer.class);
        return newTopics != 0 && newTopics != exchange.getProperty("topicRecords", List.class).size();
    }

    public int mark(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> topics = exchange.getProperty("topicRecords", List.class);
        int newTopics = exchange.getProperty("newTopicCount", 0, Integer.class);
        Set<Object> recorded = null;
        if (readBackNeeded(exchange)) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = exchange.getMessage().getBody(List.class);
            recorded = new HashSet<>();
            for (Map<String, Object> row : rows) {
                recorded.add(row.get("topic_id"));
            }
        }
        int marked = 0;
        for (Map<String, Object> topic : topics) {
            boolean isNew = recorded == null ? newTopics > 0 : recorded.contains(topic.get("topicId"));
            topic.put("recorded", isNew);
            marked += isNew ? 1 : 0;
        }
        exchange.setProperty("newTopicCount", marked);
        return marked;
    }
}
