package io.trawl.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The trawl command line in a child JVM, as an operator runs it: same JVM flags and class path as this
 * test JVM, {@code io.trawl.cli.TrawlCommand} as the main class. For what only a whole process shows:
 * EAL is initialized once per process, cleanup happens at exit, signals.
 */
final class TrawlProcess {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private TrawlProcess(final Process process, final Path stdout, final Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code trawl ARGS}, optionally wrapped by a command prefix (e.g. {@code unshare ...}). */
    static TrawlProcess start(final Path workDirectory, final List<String> prefix, final String... args) {
        final List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!argument.startsWith("-agentlib") && !argument.startsWith("-javaagent")) {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(TrawlCommand.class.getName());
        command.addAll(List.of(args));
        try {
            Files.createDirectories(workDirectory);
            final Path out = Files.createTempFile(workDirectory, "trawl", ".out");
            final Path err = Files.createTempFile(workDirectory, "trawl", ".err");
            final Process process = new ProcessBuilder(command).directory(workDirectory.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            return new TrawlProcess(process, out, err);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code trawl ARGS} to the end. */
    static Result run(final Path workDirectory, final String... args) {
        return start(workDirectory, List.of(), args).await(120);
    }

    /** The child's process id (the JVM itself: no shell in between unless a prefix was given). */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Standard output so far. */
    String stdoutSoFar() {
        try {
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends SIGTERM, as {@code kill PID} does. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the exit, killing the process after {@code seconds}. */
    Result await(final long seconds) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("trawl did not exit within " + seconds + " s; output:\n" + stdoutSoFar());
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Exit code and output of a finished trawl. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
