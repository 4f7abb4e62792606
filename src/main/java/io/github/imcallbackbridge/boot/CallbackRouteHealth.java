package io.github.imcallbackbridge.boot;

import org.apache.camel.CamelContext;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code callbackRoute} in {@code /actuator/health}, part of readiness: UP only while the callback route
 * ({@code im-callback}) is started and its HTTP consumer takes requests, so an instance whose routes did not
 * load, or were stopped, is taken out of the load balancer instead of answering 404.
 */
@Component("callbackRouteHealthIndicator")
public class CallbackRouteHealth implements HealthIndicator {

    private final CamelContext camel;

    public CallbackRouteHealth(CamelContext camel) {
        this.camel = camel;
    }

    @Override
    public Health health() {
        if (StartupChecks.callbackRouteConsuming(camel)) {
            return Health.up().withDetail("route", StartupChecks.CALLBACK_ROUTE).build();
        }
        return Health.down().withDetail("route", StartupChecks.CALLBACK_ROUTE)
                .withDetail("reason", camel.getRoute(StartupChecks.CALLBACK_ROUTE) == null ? "not loaded"
                        : "not started: " + camel.getRouteController().getRouteStatus(StartupChecks.CALLBACK_ROUTE))
                .build();
    }
}
