package io.github.imcallbackbridge.delivery;

import io.github.imcallbackbridge.CommaList;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The waits between delivery attempts, e.g. {@code 5s,30s,2m,10m,30m,1h,2h,4h,8h,8h} (about a day in all):
 * the first entry is the wait after the first failed attempt; when the list is used up the delivery is dead.
 * Each wait gets ±20% jitter, so deliveries that failed together do not retry in lockstep.
 */
public final class RetrySchedule {

    private final List<Duration> waits;

    private RetrySchedule(List<Duration> waits) {
        this.waits = waits;
    }

    /** Parses a comma-separated list of durations: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}. */
    public static RetrySchedule parse(String schedule) {
        return new RetrySchedule(CommaList.of(schedule).stream()
                .map(RetrySchedule::duration).toList());
    }

    /** Attempts in all, the first one included. */
    public int maxAttempts() {
        return waits.size() + 1;
    }

    /** The wait after the given number of failed attempts, or empty when the delivery has had all its attempts. */
    public Optional<Duration> waitAfter(int failedAttempts) {
        if (failedAttempts < 1 || failedAttempts > waits.size()) {
            return Optional.empty();
        }
        Duration wait = waits.get(failedAttempts - 1);
        return Optional.of(Duration.ofMillis((long) (wait.toMillis() * ThreadLocalRandom.current().nextDouble(0.8, 1.2))));
    }

    private static Duration duration(String text) {
        String number = text.replaceAll("[a-z]+$", "");
        String unit = text.substring(number.length());
        long value = Long.parseLong(number);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(value);
            case "s" -> Duration.ofSeconds(value);
            case "m" -> Duration.ofMinutes(value);
            case "h" -> Duration.ofHours(value);
            case "d" -> Duration.ofDays(value);
            default -> throw new IllegalArgumentException("unknown duration unit in " + text + " (use ms, s, m, h, d)");
        };
    }
}
