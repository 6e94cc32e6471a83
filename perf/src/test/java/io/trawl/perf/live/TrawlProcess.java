package io.trawl.perf.live;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The real {@code trawl} command line in its own JVM ({@code deploy/target/trawl.jar} with the JVM flags of
 * {@code deploy/target/trawl-jvm.options}, as the {@code ./trawl} launcher runs it), optionally behind a
 * command prefix ({@code ip netns exec NS}, {@code capsh --drop=...}). Output goes to files, read on demand.
 */
final class TrawlProcess implements AutoCloseable {
    /** What trawl prints once its source is open and its threads run. */
    static final String READY_LINE = "trawl: threads:";

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private TrawlProcess(final Process process, final Path stdout, final Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The launcher jar, or the test is skipped (it exists once {@code deploy} was packaged). */
    static Path launcherJar() {
        final Path jar = projectDirectory().resolve("deploy/target/trawl.jar");
        Assumptions.assumeTrue(Files.exists(jar), () -> "skipped: " + jar + " not built (run ./mvnw verify from the root)");
        return jar;
    }

    static Path projectDirectory() {
        return Path.of(System.getProperty("trawl.project.dir", ".."));
    }

    /** {@code java @options -jar trawl.jar}, with the JDK running this test. */
    static List<String> trawlCommand() {
        final Path jar = launcherJar();
        final String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "@" + jar.resolveSibling("trawl-jvm.options"), "-jar", jar.toString());
    }

    /**
     * Starts {@code prefix + trawl + args}.
     *
     * @param logs where stdout and stderr go ({@code NAME.out}, {@code NAME.err})
     */
    static TrawlProcess start(final List<String> prefix, final Path logs, final String name, final List<String> args) {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(trawlCommand());
        command.addAll(args);
        try {
            Files.createDirectories(logs);
            final Path out = logs.resolve(name + ".out");
            final Path err = logs.resolve(name + ".err");
            final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
            return new TrawlProcess(process, out, err);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until trawl printed {@link #READY_LINE}; fails with its output if it exits or times out first. */
    TrawlProcess awaitReady(final long timeoutSeconds) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (stdout().contains(READY_LINE)) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError("trawl exited " + process.exitValue() + " before it was ready: " + output());
            }
            LockSupport.parkNanos(20_000_000L);
        }
        throw new AssertionError("trawl was not ready after " + timeoutSeconds + " s: " + output());
    }

    /** Waits for the exit; fails with the output on timeout. */
    int awaitExit(final long timeoutSeconds) {
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("trawl did not exit within " + timeoutSeconds + " s: " + output());
            }
            return process.exitValue();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** SIGTERM. */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL, then waits for the process to be gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit(30);
    }

    long pid() {
        return process.pid();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    /** Both streams, for failure messages. */
    String output() {
        return "\n--- stdout ---\n" + stdout() + "--- stderr ---\n" + stderr();
    }

    private static String read(final Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (final IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
