package io.github.imcallbackbridge.callback;

import io.github.imcallbackbridge.CommaList;
import io.github.imcallbackbridge.delivery.WebhookTargets;
import java.util.List;

import org.apache.camel.Exchange;

/**
 * Which callbacks are forwarded as received, besides the two destruction flows: {@code im.callbacks.forward}
 * (IM_CALLBACKS_FORWARD), command patterns such as {@code Group.CallbackAfter*}, {@code C2C.CallbackAfterSendMsg}
 * or {@code *}; none by default. Also tells the before-callbacks (the app may veto the action: the bridge
 * always allows it, at once, and never moderates).
 */
public class ForwardedCallbacks {

    private List<String> patterns = List.of();

    public void setPatterns(String patterns) {
        this.patterns = CommaList.of(patterns);
    }

    /** Whether the callback's command (exchange property {@code callbackCommand}) is one to forward. */
    public boolean wanted(Exchange exchange) {
        String command = exchange.getProperty("callbackCommand", String.class);
        return command != null && patterns.stream().anyMatch(p -> WebhookTargets.matches(p, command));
    }

    /**
     * Whether the callback is a before-callback ({@code *.CallbackBefore*}, {@code Sns.CallbackPrev*}): answered
     * OK (allow) at once; when forwarded, recorded after the reply, without the reply waiting on the database.
     */
    public boolean before(Exchange exchange) {
        String command = exchange.getProperty("callbackCommand", String.class);
        return command != null && (command.contains(".CallbackBefore") || command.startsWith("Sns.CallbackPrev"));
    }
}
