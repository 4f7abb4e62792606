package io.github.imcallbackbridge.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The delivery console's files ({@code console/} on the class path: the page, its script, its style sheet
 * and its icon), served at {@code /console} by {@code routes/admin-console.camel.yaml}. Only these names are served,
 * with a Content-Security-Policy that lets the page load nothing but them and talk to nothing but this
 * server. The page holds no data: it asks the admin API with the token the user types in.
 */
public class ConsolePage {

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "icon.svg", "image/svg+xml");
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    private final Map<String, byte[]> loaded = new ConcurrentHashMap<>();

    /** The file the request asks for: {@code /console} is the page, {@code /console/<name>} one of the others. */
    public String fileName(Exchange exchange) {
        String path = DeliveryAdmin.requestPath(exchange);
        int slash = path.indexOf("/console/");
        String name = slash < 0 ? "" : path.substring(slash + "/console/".length());
        name = name.isEmpty() ? "index.html" : name;
        if (!FILES.containsKey(name)) {
            throw new AdminRequestException(404, "the console has no file " + name.replaceAll("[^\\w.-]", "_"));
        }
        return name;
    }

    /** The file named by property {@code consoleFile}, with its type and the console's security headers. */
    public byte[] file(Exchange exchange) {
        String name = exchange.getProperty("consoleFile", String.class);
        Message reply = exchange.getMessage();
        reply.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        reply.setHeader(Exchange.CONTENT_TYPE, FILES.get(name));
        reply.setHeader("Content-Security-Policy", POLICY);
        reply.setHeader("X-Content-Type-Options", "nosniff");
        reply.setHeader("Referrer-Policy", "no-referrer");
        return loaded.computeIfAbsent(name, ConsolePage::read);
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsolePage.class.getClassLoader().getResourceAsStream("console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console/" + name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
