package io.github.imcallbackbridge.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy between the application and its database that can fail the way networks and databases do:
 * {@link #refuse()} (connections refused, open ones reset: the database is down), {@link #blackhole()} (packets
 * swallowed: connections accepted, nothing answered, as in a failover), and {@link #heal()}.
 */
public final class FlakyNetwork implements AutoCloseable {

    private enum Mode { PASS, REFUSE, BLACKHOLE }

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile ServerSocket server;

    public FlakyNetwork(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.port = ImBackend.freePort();
        listen();
    }

    /** The port the application connects to instead of the database's. */
    public int port() {
        return port;
    }

    /** The database is down: new connections are refused, open ones are reset. */
    public synchronized void refuse() throws IOException {
        mode = Mode.REFUSE;
        server.close();
        resetAll();
    }

    /** A failover that swallows packets: nothing sent either way arrives; new connections hang. */
    public synchronized void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    /** The database is back. Connections that lived through a blackhole are reset, as a real failover leaves them. */
    public synchronized void heal() throws IOException {
        Mode was = mode;
        mode = Mode.PASS;
        if (was == Mode.REFUSE) {
            listen();
        } else if (was == Mode.BLACKHOLE) {
            resetAll();
        }
    }

    private void listen() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress("127.0.0.1", port));
        server = socket;
        Thread acceptor = new Thread(() -> accept(socket), "flaky-network-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Socket database = mode == Mode.PASS ? new Socket(targetHost, targetPort) : null;
                synchronized (this) { // a connection accepted while refuse() ran is reset, not kept
                    if (mode == Mode.REFUSE) {
                        reset(client);
                        if (database != null) {
                            reset(database);
                        }
                        continue;
                    }
                    open.add(client);
                    if (mode == Mode.BLACKHOLE || database == null) {
                        continue; // accepted, never answered
                    }
                    open.add(database);
                }
                pump(client, database);
                pump(database, client);
            } catch (IOException e) {
                // the listening socket was closed (refuse) or the database cannot be reached
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (mode == Mode.BLACKHOLE) {
                        continue; // swallowed
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ended) {
                // one side closed or was reset
            } finally {
                close(from);
                close(to);
            }
        }, "flaky-network-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void resetAll() {
        for (Socket socket : open) {
            reset(socket);
        }
        open.clear();
    }

    private void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // RST, not FIN
        } catch (IOException ignored) {
            // already closed
        }
        close(socket);
    }

    private void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public synchronized void close() throws IOException {
        server.close();
        resetAll();
    }
}
