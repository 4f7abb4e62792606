package io.github.imcallbackbridge.admin;

/**
 * An admin API request refused, with the HTTP status and the sentence that says why; answered as
 * application/problem+json (admin-error-handling), never in the IM callback FAIL shape.
 */
public class AdminRequestException extends RuntimeException {

    private final int status;

    public AdminRequestException(int status, String detail) {
        super(detail);
        this.status = status;
    }

    /** 400: a parameter that cannot be read. */
    public static AdminRequestException invalid(String detail) {
        return new AdminRequestException(400, detail);
    }

    public int status() {
        return status;
    }
}
