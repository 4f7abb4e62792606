package io.github.imcallbackbridge.boot;

import io.github.imcallbackbridge.database.DatabaseAvailability;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Says in one sentence why a start failed, where the cause is one an operator fixes (Spring Boot then prints
 * it instead of a stack trace): a start-up check ({@link BridgeCannotStartException}), a route file that does
 * not load, or a database that cannot be reached within the start-up wait.
 */
public class StartFailureReport implements FailureAnalyzer {

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BridgeCannotStartException cannotStart) {
                return new FailureAnalysis(cannotStart.getMessage(), "Fix the setting named above and start again.", t);
            }
        }
        Throwable routeFile = routeFileFailure(failure);
        if (routeFile != null) {
            return new FailureAnalysis("a route file could not be loaded: " + oneLine(routeFile.getMessage()),
                    "Fix the route file (see routes/README.md) and start again.", failure);
        }
        if (DatabaseAvailability.isOutage(failure)) {
            return new FailureAnalysis("the database cannot be reached (" + oneLine(root(failure).getMessage())
                    + "); the start gave up after its bounded wait (spring.flyway.connect-retries)",
                    "Check SPRING_DATASOURCE_URL and that the database is up, then start again.", failure);
        }
        return null;
    }

    /** The failure of loading a route file: the Camel exception in the chain whose message names the file. */
    private static Throwable routeFileFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains(".camel.yaml") && t.getClass().getName().startsWith("org.apache.camel")) {
                return t;
            }
        }
        return null;
    }

    private static Throwable root(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.lines().map(String::strip).filter(l -> !l.isEmpty())
                .reduce((a, b) -> a + " " + b).orElse("");
    }
}
