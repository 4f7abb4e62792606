package io.github.imcallbackbridge.web;

import io.github.imcallbackbridge.callback.CallbackRejectedException;
import io.github.imcallbackbridge.callback.QueryString;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The bridge only takes JSON bodies. A client that labels its JSON body
 * {@code application/x-www-form-urlencoded} would otherwise make the HTTP consumer try to parse the body
 * as form fields and fail with a 500 before the route runs; this filter presents such a request as
 * {@code application/json}, with parameters taken from the query string only, so the route validates the
 * body like any other (Spring Boot runtime only: the transport is Spring MVC there).
 */
@Component
public class JsonBodyRequestFilter extends OncePerRequestFilter {

    private static final String FORM = "application/x-www-form-urlencoded";

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String type = request.getContentType();
        return type == null || !type.toLowerCase().startsWith(FORM);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(new JsonRequest(request), response);
    }

    private static final class JsonRequest extends HttpServletRequestWrapper {

        private final Map<String, String[]> queryParameters;

        JsonRequest(HttpServletRequest request) {
            super(request);
            this.queryParameters = parse(request.getQueryString());
        }

        @Override
        public String getContentType() {
            return "application/json";
        }

        @Override
        public String getHeader(String name) {
            return "Content-Type".equalsIgnoreCase(name) ? getContentType() : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return "Content-Type".equalsIgnoreCase(name)
                    ? Collections.enumeration(List.of(getContentType()))
                    : super.getHeaders(name);
        }

        @Override
        public String getParameter(String name) {
            String[] values = queryParameters.get(name);
            return values == null ? null : values[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            return queryParameters;
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.enumeration(queryParameters.keySet());
        }

        @Override
        public String[] getParameterValues(String name) {
            return queryParameters.get(name);
        }

        private static Map<String, String[]> parse(String query) {
            Map<String, String[]> parameters = new LinkedHashMap<>();
            try {
                QueryString.parse(query).forEach((name, values) -> parameters.put(name, values.toArray(String[]::new)));
            } catch (CallbackRejectedException badEncoding) {
                // left empty here; the route reads the query itself and rejects it with a 400
            }
            return Collections.unmodifiableMap(parameters);
        }
    }
}
