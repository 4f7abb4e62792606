package io.github.imcallbackbridge.web;

import io.github.imcallbackbridge.callback.CallbackReply;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers the errors that happen outside the routes (unknown path, wrong method, a request the HTTP layer
 * cannot take) with the same FAIL body as the routes, instead of Spring Boot's error page: no stack
 * traces, no exception names.
 */
@RestController
public class FailReplyErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    public ResponseEntity<String> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer number ? number : 500;
        String info = switch (status) {
            case 404 -> "no such endpoint; callbacks are POSTed to /im/callback";
            case 405 -> "method not allowed; callbacks are POSTed";
            case 413 -> "the request is too large";
            case 415 -> "unsupported content type; callbacks are JSON";
            default -> status < 500 ? "the request was not understood" : "internal error; nothing was stored";
        };
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                .body(CallbackReply.failJson(status, info));
    }
}
