package io.github.imcallbackbridge.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * The recording load counts the topics of the callbacks being recorded (a callback without topics counts one)
 * and is busy from the threshold on; each recording is counted once, however often its end is reported.
 */
class RecordingLoadTest {

    final RecordingLoad load = new RecordingLoad();

    @Test
    void countsTheTopicsOfTheCallbacksBeingRecordedAndIsBusyFromTheThresholdOn() {
        load.setBusyTopics(50);
        Runnable first = load.begin(callbackOf(30));
        Runnable second = load.begin(callbackOf(19));
        assertThat(load.topics()).isEqualTo(49);
        assertThat(load.busy()).as("49 of 50").isFalse();

        Runnable groupCallback = load.begin(callbackOf(0));
        assertThat(load.topics()).as("a callback without topics counts one").isEqualTo(50);
        assertThat(load.busy()).isTrue();

        first.run();
        assertThat(load.busy()).isFalse();
        second.run();
        groupCallback.run();
        assertThat(load.topics()).isZero();
    }

    @Test
    void aRecordingsEndCountsOnceEvenWhenReportedTwice() {
        Runnable recorded = load.begin(callbackOf(10));
        Runnable other = load.begin(callbackOf(5));
        recorded.run();
        recorded.run();
        assertThat(load.topics()).isEqualTo(5);
        other.run();
        assertThat(load.topics()).isZero();
    }

    @Test
    void zeroNeverCountsAsBusyAndANegativeThresholdIsRefused() {
        load.setBusyTopics(0);
        load.begin(callbackOf(1000));
        assertThat(load.busy()).isFalse();
        assertThatThrownBy(() -> load.setBusyTopics(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("webhook.yield-to-recording-topics");
    }

    private static Exchange callbackOf(int topics) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        if (topics > 0) {
            exchange.setProperty("topicRecords", Collections.nCopies(topics, Map.of()));
        }
        return exchange;
    }
}
