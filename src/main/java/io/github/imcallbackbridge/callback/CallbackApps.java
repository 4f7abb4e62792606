package io.github.imcallbackbridge.callback;

import io.github.imcallbackbridge.CommaList;
import java.util.Set;

import org.apache.camel.Exchange;

/**
 * The applications this bridge serves: {@code im.sdkappid} (IM_SDKAPPID) is one SDKAppID or a comma-separated
 * list. A callback whose SdkAppid query parameter is missing or not one of them is refused (403).
 */
public class CallbackApps {

    private Set<String> sdkAppIds = Set.of();

    public void setSdkAppIds(String sdkAppIds) {
        this.sdkAppIds = Set.copyOf(CommaList.of(sdkAppIds));
    }

    /** Refuses (403) a callback that is not for one of these applications (exchange property {@code sdkAppId}). */
    public void check(Exchange exchange) {
        String sdkAppId = exchange.getProperty("sdkAppId", String.class);
        if (sdkAppId == null || !sdkAppIds.contains(sdkAppId)) {
            throw new CallbackForbiddenException("SdkAppid in the callback URL is missing or is not an SDKAppID of this bridge (IM_SDKAPPID)");
        }
    }
}
