package io.github.imcallbackbridge;

import java.util.Map;

import io.github.imcallbackbridge.support.TestDatabases;

/** The database outage contract on PostgreSQL (embedded), behind a flaky network. */
class PostgresDatabaseOutageTest extends DatabaseOutageContract {

    @Override
    int databasePort() {
        return TestDatabases.postgresPort();
    }

    @Override
    Map<String, String> freshDatabase(int port) {
        return TestDatabases.freshPostgres(port);
    }
}
