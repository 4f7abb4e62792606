package io.github.imcallbackbridge.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** When a failed delivery is tried again. */
class RetryScheduleTest {

    private final RetrySchedule defaults = RetrySchedule.parse("5s,30s,2m,10m,30m,1h,2h,4h,8h,8h");

    @Test
    void theDefaultScheduleRetriesWithinSecondsAndGivesUpAfterAboutADay() {
        assertThat(defaults.maxAttempts()).isEqualTo(11);
        assertThat(defaults.waitAfter(1)).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(6)));
        Duration total = Duration.ZERO;
        for (int failed = 1; failed <= 10; failed++) {
            total = total.plus(defaults.waitAfter(failed).orElseThrow());
        }
        assertThat(total).isBetween(Duration.ofHours(18), Duration.ofHours(29));
        assertThat(defaults.waitAfter(11)).isEmpty();
    }

    @RepeatedTest(20)
    void waitsAreJitteredByAtMostTwentyPercent() {
        assertThat(defaults.waitAfter(6).orElseThrow()).isBetween(Duration.ofMinutes(48), Duration.ofMinutes(72));
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsADateAndBounded() {
        DeliveryOutcome outcome = new DeliveryOutcome();
        outcome.setMaxRetryAfterSeconds(3600);
        assertThat(outcome.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
        assertThat(outcome.retryAfter("86400")).isEqualTo(Duration.ofHours(1));
        assertThat(outcome.retryAfter("soon")).isZero();
        assertThat(outcome.retryAfter("-5")).isZero();
        assertThat(outcome.retryAfter(null)).isZero();
        String inTenMinutes = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(10));
        assertThat(outcome.retryAfter(inTenMinutes)).isBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));
    }

    @Test
    void unitsFromMillisecondsToDays() {
        RetrySchedule schedule = RetrySchedule.parse("500ms, 1d");
        assertThat(schedule.waitAfter(1).orElseThrow()).isBetween(Duration.ofMillis(400), Duration.ofMillis(600));
        assertThat(schedule.waitAfter(2).orElseThrow()).isBetween(Duration.ofHours(19), Duration.ofHours(29));
    }
}
