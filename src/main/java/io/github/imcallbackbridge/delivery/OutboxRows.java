package io.github.imcallbackbridge.delivery;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Gathers the outbox rows that the topics of one callback produce (each topic leaves a list: one row per
 * target that wants it, or none for a topic already recorded), so that they reach the database as one
 * multi-row insert. The result's body is a single list, in topic order. A topic that failed fails the callback.
 */
public class OutboxRows implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange gathered, Exchange topic) {
        Throwable failure = topic.getException() != null ? topic.getException()
                : topic.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure != null || topic.isRollbackOnly()) {
            // the whole callback fails with it: the recording transaction rolls back and the reply says so
            throw new IllegalStateException("a topic of the callback could not be queued", failure);
        }
        if (gathered == null) {
            topic.getMessage().setBody(new ArrayList<>(rows(topic)));
            return topic;
        }
        @SuppressWarnings("unchecked")
        List<Object> all = gathered.getMessage().getBody(List.class);
        all.addAll(rows(topic));
        return gathered;
    }

    private static Collection<?> rows(Exchange topic) {
        Object body = topic.getMessage().getBody();
        return body instanceof Collection<?> rows ? rows : List.of();
    }
}
