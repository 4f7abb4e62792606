package io.github.imcallbackbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.imcallbackbridge.database.RecordingLoad;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A target that cannot be reached (attempts without an HTTP answer, in a row) is paused for the first wait of its
 * retry schedule instead of having every due delivery fail at once; an answer, even an error status, ends it.
 * Claims of a target whose deliveries trickle in are spaced by the claim gap; a backlog is claimed without pause.
 * While many topics are being recorded, a round has one slot.
 */
class TargetDrainsTest {

    CamelContext camel;
    TargetDrains drains = new TargetDrains();

    @BeforeEach
    void start() {
        camel = new DefaultCamelContext();
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
    }

    @Test
    void fiveAttemptsInARowWithoutAnAnswerPauseTheTargetForTheFirstWaitOfItsSchedule() throws Exception {
        RetrySchedule schedule = RetrySchedule.parse("1s,30s");
        for (int i = 1; i < TargetDrains.UNREACHABLE_IN_A_ROW; i++) {
            drains.attemptDone(attempt("crm", null, "PENDING", schedule));
        }
        assertThat(drains.drainsToStart(wake("crm"))).as("four refusals: not yet").containsExactly("crm");
        finish("crm");

        drains.attemptDone(attempt("crm", null, "PENDING", schedule));

        assertThat(drains.drainsToStart(wake("crm", "erp"))).as("paused; another target is not").containsExactly("erp");
        Exchange batch = attempt("crm", null, null, schedule);
        batch.setProperty("maxInFlight", 16);
        assertThat(drains.takeSlot(batch)).as("a claimed delivery is released, not sent").isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> drains.drainsToStart(wake("crm")).contains("crm"));
    }

    @Test
    void anAnswerEvenAnErrorStatusMeansTheTargetIsReachable() {
        RetrySchedule schedule = RetrySchedule.parse("30s");
        for (int i = 1; i < TargetDrains.UNREACHABLE_IN_A_ROW; i++) {
            drains.attemptDone(attempt("crm", null, "PENDING", schedule));
        }
        drains.attemptDone(attempt("crm", 503, "PENDING", schedule));
        for (int i = 1; i < TargetDrains.UNREACHABLE_IN_A_ROW; i++) {
            drains.attemptDone(attempt("crm", null, "PENDING", schedule));
        }
        assertThat(drains.drainsToStart(wake("crm"))).as("the count started again after the 503").containsExactly("crm");
    }

    @Test
    void afterAClaimThatDidNotFillItsBatchTheNextWaitsForTheClaimGapAndAfterAFullOneItDoesNot() throws Exception {
        drains.setClaimGapMs(400);
        Exchange round = new DefaultExchange(camel);
        round.setProperty("target", "crm");
        round.setProperty("batchSize", 64);

        long first = System.nanoTime();
        drains.paceClaim(round); // an idle target: claimed from at once
        round.setProperty("claimedCount", 3);
        drains.keepDraining(round);
        drains.paceClaim(round);
        assertThat(Duration.ofNanos(System.nanoTime() - first)).as("3 of 64: the next claim waits for the gap")
                .isGreaterThanOrEqualTo(Duration.ofMillis(400));

        round.setProperty("claimedCount", 64);
        drains.keepDraining(round);
        long full = System.nanoTime();
        drains.paceClaim(round);
        assertThat(Duration.ofNanos(System.nanoTime() - full)).as("a full batch: more are due, claimed at once")
                .isLessThan(Duration.ofMillis(400));
    }

    @Test
    void aRoundHasTheTargetsSlotsExceptWhileManyTopicsAreBeingRecordedThenOne() {
        RecordingLoad load = new RecordingLoad();
        load.setBusyTopics(50);
        drains.setRecordingLoad(load);
        Exchange round = new DefaultExchange(camel);
        round.setProperty("target", "crm");
        round.setProperty("targetMaxInFlight", 16);

        drains.sizeRound(round);
        assertThat(round.getProperty("maxInFlight")).isEqualTo(16);
        assertThat(round.getProperty("batchSize")).as("4 per slot").isEqualTo(64);

        Runnable recorded = load.begin(callbackOf(60));
        drains.sizeRound(round);
        assertThat(round.getProperty("maxInFlight")).as("60 topics being recorded").isEqualTo(1);
        assertThat(round.getProperty("batchSize")).isEqualTo(4);

        recorded.run();
        drains.sizeRound(round);
        assertThat(round.getProperty("maxInFlight")).as("recorded").isEqualTo(16);
        assertThat(round.getProperty("batchSize")).isEqualTo(64);
    }

    Exchange callbackOf(int topics) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty("topicRecords", Collections.nCopies(topics, Map.of()));
        return exchange;
    }

    Exchange attempt(String target, Integer statusCode, String status, RetrySchedule schedule) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty("target", target);
        exchange.setProperty("retrySchedule", schedule);
        Map<String, Object> outcome = new HashMap<>();
        outcome.put("statusCode", statusCode);
        if (status != null) {
            outcome.put("status", status);
        }
        exchange.getMessage().setBody(outcome);
        return exchange;
    }

    Exchange wake(String... targets) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(List.of(targets));
        return exchange;
    }

    void finish(String target) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty("target", target);
        drains.finishDraining(exchange);
    }
}
