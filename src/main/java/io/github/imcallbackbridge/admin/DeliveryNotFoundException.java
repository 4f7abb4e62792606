package io.github.imcallbackbridge.admin;

/** 404: the delivery an admin request names does not exist (or is not in a state the operation applies to). */
public class DeliveryNotFoundException extends AdminRequestException {

    public DeliveryNotFoundException(String detail) {
        super(404, detail);
    }
}
