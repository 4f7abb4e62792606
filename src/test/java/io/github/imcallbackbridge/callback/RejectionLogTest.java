package io.github.imcallbackbridge.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * A rejected callback is logged at once; more of the same kind (status and reason) within the interval are
 * left out, and the next line of that kind says how many were; other kinds are not held back by it.
 */
class RejectionLogTest {

    final CamelContext camel = new DefaultCamelContext();
    final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(5));
    final RejectionLog log = new RejectionLog(now::get);

    Exchange rejected(int status, String reason) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty("rejectionStatus", status);
        exchange.setProperty("rejectionReason", reason);
        return exchange;
    }

    @Test
    void theFirstRejectionOfAKindIsLoggedAtOnceWithNothingLeftOut() {
        Exchange first = rejected(403, "SdkAppid is not this application's");

        assertThat(log.due(first)).isTrue();
        assertThat(first.getProperty("rejectionsLeftOut")).isEqualTo("");
    }

    @Test
    void moreOfTheSameKindWithinTheIntervalAreLeftOutAndCountedOnTheNextLine() {
        assertThat(log.due(rejected(403, "SdkAppid is not this application's"))).isTrue();
        for (int i = 0; i < 250; i++) {
            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(39));
            assertThat(log.due(rejected(403, "SdkAppid is not this application's"))).as("rejection %d", i).isFalse();
        }
        now.set(TimeUnit.HOURS.toNanos(5) + TimeUnit.SECONDS.toNanos(10));
        Exchange next = rejected(403, "SdkAppid is not this application's");

        assertThat(log.due(next)).isTrue();
        assertThat(next.getProperty("rejectionsLeftOut", String.class)).contains("and 250 more like it").contains("every 10 s");
        assertThat(log.due(rejected(403, "SdkAppid is not this application's"))).isFalse();
    }

    @Test
    void anotherStatusOrReasonIsLoggedEvenWhileOneKindIsHeldBack() {
        assertThat(log.due(rejected(403, "SdkAppid is not this application's"))).isTrue();

        assertThat(log.due(rejected(403, "Sign does not match"))).isTrue();
        assertThat(log.due(rejected(400, "SdkAppid is not this application's"))).isTrue();
        assertThat(log.due(rejected(400, "the request body is not valid JSON"))).isTrue();
    }

    @Test
    void beyondAHundredReasonsANewReasonSharesItsStatussLine() {
        for (int i = 0; i < RejectionLog.MAX_KINDS; i++) {
            assertThat(log.due(rejected(400, "reason " + i))).isTrue();
        }

        assertThat(log.due(rejected(400, "one reason too many"))).as("the first of its status beyond the limit").isTrue();
        assertThat(log.due(rejected(400, "yet another reason"))).as("shares that line's interval").isFalse();
        assertThat(log.due(rejected(400, "reason 7"))).as("a kind already kept goes on being its own").isFalse();
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertThat(log.due(rejected(400, "reason 7"))).isTrue();
    }

    @Test
    void anIntervalOfZeroLogsEveryRejection() {
        log.setIntervalSeconds(0);

        for (int i = 0; i < 5; i++) {
            Exchange exchange = rejected(403, "SdkAppid is not this application's");
            assertThat(log.due(exchange)).isTrue();
            assertThat(exchange.getProperty("rejectionsLeftOut")).isEqualTo("");
        }
    }

    @Test
    void aNegativeIntervalIsRefusedAtStart() {
        assertThatThrownBy(() -> log.setIntervalSeconds(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("callback.rejection-log-interval-seconds");
    }
}
