package io.github.imcallbackbridge.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.imcallbackbridge.ImCallbackBridgeApplication;

/**
 * The application in a JVM of its own, for tests that kill it, stop it with SIGTERM, read its console or wait
 * for it to exit: started from the test classpath, or as a user starts the built jar. Closing it kills it.
 */
public final class BridgeProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private BridgeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** {@code ImCallbackBridgeApplication} on the test classpath, in the current folder, with these arguments. */
    public static BridgeProcess fromClasspath(String[] arguments, Path log) {
        List<String> command = new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path"),
                ImCallbackBridgeApplication.class.getName()));
        command.addAll(List.of(arguments));
        return start(new ProcessBuilder(command), log);
    }

    /** {@code java -jar jar arguments} started in {@code folder} with these environment variables added. */
    public static BridgeProcess fromJar(Path jar, Path folder, Map<String, String> environment, List<String> arguments,
                                        Path log) {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toAbsolutePath().toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile());
        builder.environment().putAll(environment);
        return start(builder, log);
    }

    private static BridgeProcess start(ProcessBuilder builder, Path log) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            return new BridgeProcess(builder.redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String java() {
        return new File(System.getProperty("java.home"), "bin/java").getPath();
    }

    public Process process() {
        return process;
    }

    /** What it printed so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Its exit code, or null if it is still running after {@code wait}. */
    public Integer exitCodeWithin(Duration wait) throws InterruptedException {
        return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** SIGKILL: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
