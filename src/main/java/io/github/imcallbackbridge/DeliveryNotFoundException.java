package io.github.imcallbackbridge;

/** Thrown by the admin routes (YAML {@code throwException}) when no delivery matches: answered with 404. */
public class DeliveryNotFoundException extends CallbackRejectedException {

    public DeliveryNotFoundException(String errorInfo) {
        super(404, errorInfo);
    }
}
