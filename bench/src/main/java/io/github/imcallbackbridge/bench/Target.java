package io.github.imcallbackbridge.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The CRM stand-in of the benchmark, on 127.0.0.1: {@code /ingest} answers 204 after a settable delay and can
 * be closed (connections refused) and reopened on the same port; {@code /dN} answers after N ms. It notes
 * the most requests it had in flight at once.
 */
final class Target implements AutoCloseable {

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final HttpServer delays;
    private final int ingestPort;
    private HttpServer ingest;
    private volatile long ingestDelayMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    Target() throws IOException {
        delays = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        delays.createContext("/", exchange -> answer(exchange, Long.parseLong(exchange.getRequestURI().getPath().substring(2))));
        delays.setExecutor(threads);
        delays.start();
        ingest = ingestServer(0);
        ingestPort = ingest.getAddress().getPort();
    }

    private HttpServer ingestServer(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
        server.createContext("/ingest", exchange -> answer(exchange, ingestDelayMillis));
        server.setExecutor(threads);
        server.start();
        return server;
    }

    String url(String path) {
        int port = "ingest".equals(path) ? ingestPort : delays.getAddress().getPort();
        return "http://127.0.0.1:" + port + "/" + path;
    }

    void setDelayMillis(long millis) {
        ingestDelayMillis = millis;
    }

    /** Connections to /ingest are refused until {@link #reopen}. */
    @Override
    public void close() {
        if (ingest != null) {
            ingest.stop(0);
            ingest = null;
        }
    }

    void reopen() throws IOException {
        ingest = ingestServer(ingestPort);
    }

    void resetConcurrency() {
        maxInFlight.set(0);
    }

    int maxConcurrent() {
        return maxInFlight.get();
    }

    private void answer(HttpExchange exchange, long delayMillis) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try {
            exchange.getRequestBody().readAllBytes();
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            inFlight.decrementAndGet(); // before the answer leaves: the next request may follow it at once
            exchange.sendResponseHeaders(204, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            inFlight.decrementAndGet();
        } finally {
            exchange.close();
        }
    }
}
