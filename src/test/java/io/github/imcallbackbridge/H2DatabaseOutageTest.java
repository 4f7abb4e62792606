package io.github.imcallbackbridge;

import java.util.Map;

import io.github.imcallbackbridge.support.TestDatabases;

/** The database outage contract on H2 (a file database served over TCP), behind a flaky network. */
class H2DatabaseOutageTest extends DatabaseOutageContract {

    @Override
    int databasePort() {
        return TestDatabases.h2ServerPort();
    }

    @Override
    Map<String, String> freshDatabase(int port) {
        return TestDatabases.freshH2Server(port);
    }
}
