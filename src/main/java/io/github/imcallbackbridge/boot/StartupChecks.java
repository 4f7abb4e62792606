package io.github.imcallbackbridge.boot;

import java.util.List;

import io.github.imcallbackbridge.delivery.WebhookTargets;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.support.DefaultExchange;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * What must hold once the routes have started, or the start fails (and the process exits non-zero, see
 * {@code ImCallbackBridgeApplication}): the product's route files (packaged, or ROUTES_DIR's: see
 * {@link RoutesLocation}) include the callback route, and every forwarding target's configuration can be read
 * (a target the operator must fix is not left to fail callbacks later).
 */
@Component
public class StartupChecks implements ApplicationRunner {

    static final String CALLBACK_ROUTE = "im-callback";

    private final CamelContext camel;
    private final Environment environment;

    public StartupChecks(CamelContext camel, Environment environment) {
        this.camel = camel;
        this.environment = environment;
    }

    @Override
    public void run(ApplicationArguments args) {
        String source = environment.getProperty("routes.source");
        // the definitions, not the running routes: a test may hold the start back to advise a route first
        Model routes = camel.getCamelContextExtension().getContextPlugin(Model.class);
        if (source != null && (routes == null || routes.getRouteDefinition(CALLBACK_ROUTE) == null)) {
            throw new BridgeCannotStartException("no route with id " + CALLBACK_ROUTE + " was loaded from " + source
                    + " (" + (routes == null ? 0 : routes.getRouteDefinitions().size()) + " routes loaded)");
        }
        WebhookTargets targets = camel.getRegistry().lookupByNameAndType("webhookTargets", WebhookTargets.class);
        if (targets != null) {
            List<String> problems = targets.configurationProblems(new DefaultExchange(camel));
            if (!problems.isEmpty()) {
                throw new BridgeCannotStartException(String.join("; ", problems));
            }
        }
    }

    /** Whether the callback route is started and its consumer takes requests. */
    static boolean callbackRouteConsuming(CamelContext camel) {
        Route route = camel.getRoute(CALLBACK_ROUTE);
        return route != null && camel.getRouteController().getRouteStatus(CALLBACK_ROUTE).isStarted()
                && route.getConsumer() instanceof org.apache.camel.support.service.ServiceSupport consumer
                && consumer.isStarted();
    }
}
