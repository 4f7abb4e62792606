package io.github.imcallbackbridge.delivery;

import java.lang.management.ManagementFactory;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs delivery below the callback path: the threads that drain targets, send webhooks and record attempts call
 * {@link #lower} first, so that when the two compete for the CPU, a callback waiting for its reply (2 s at most)
 * goes first and delivery, which has time to spare, waits. On Linux the JVM applies a thread's priority only
 * with {@code -XX:ThreadPriorityPolicy=1}; Java's lowest priority then becomes nice 4, which needs no privilege.
 * The packaged launchers set it (spring-boot:run, the container image, the Kubernetes and Camel K manifests);
 * without it this changes nothing, and says so once.
 */
public class BackgroundPriority {

    private static final Logger LOG = LoggerFactory.getLogger("webhook-delivery");

    private volatile boolean checked;

    public void lower() {
        Thread current = Thread.currentThread();
        if (current.getPriority() != Thread.MIN_PRIORITY) {
            current.setPriority(Thread.MIN_PRIORITY);
            if (!checked) {
                checked = true;
                if (!appliedByJvm()) {
                    LOG.info("Delivery runs at the same CPU priority as callbacks: start the JVM with "
                            + "-XX:ThreadPriorityPolicy=1 (as ./mvnw spring-boot:run and the image do) to let callbacks go first");
                }
            }
        }
    }

    /** Whether this JVM turns Java thread priorities into OS ones (HotSpot on Linux: ThreadPriorityPolicy=1). */
    static boolean appliedByJvm() {
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotSpot == null || !System.getProperty("os.name", "").startsWith("Linux")
                    || "1".equals(hotSpot.getVMOption("ThreadPriorityPolicy").getValue());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return true; // not HotSpot: nothing to advise
        }
    }
}
