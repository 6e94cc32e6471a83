package io.trawl.perf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one measured process (a peer tool or a trawl JVM) and reports its wall time and output. */
public final class Peer {
    private Peer() {
    }

    /** A finished measured run. */
    public record Run(double wallSeconds, String stdout, String stderr, int exitCode) {
    }

    public static Run run(final List<String> command) {
        try {
            final Path out = Files.createTempFile("trawl-perf", ".out");
            final Path err = Files.createTempFile("trawl-perf", ".err");
            final long start = System.nanoTime();
            final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(30, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            final double wall = (System.nanoTime() - start) / 1e9;
            final Run run = new Run(wall, Files.readString(out, StandardCharsets.ISO_8859_1), Files.readString(err, StandardCharsets.ISO_8859_1),
                process.exitValue());
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            if (run.exitCode() != 0) {
                throw new IllegalStateException(command + " exited " + run.exitCode() + ": " + run.stderr());
            }
            return run;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A command that runs {@code mainClass} in a new JVM with trawl's flags and this classpath. */
    public static List<String> javaCommand(final String mainClass, final String... args) {
        final List<String> command = new ArrayList<>();
        command.add(TrawlJvm.javaExecutable());
        command.addAll(Arrays.asList(TrawlJvm.flags()));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(Arrays.asList(args));
        return command;
    }

    /**
     * The command a user runs: the {@code ./trawl} launcher of the project (run from the project root, as
     * {@code perf/run} does), with its heap settings and the build's AOT cache, then {@code args}.
     */
    public static List<String> launcherCommand(final String... args) {
        final List<String> command = new ArrayList<>();
        command.add(java.nio.file.Path.of("trawl").toAbsolutePath().toString());
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** The median of the values. */
    public static double median(final List<Double> values) {
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The median of the per-round ratios {@code a[i] / b[i]} (each pair measured in the same round). */
    public static double medianRatio(final List<Double> a, final List<Double> b) {
        final List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            ratios.add(a.get(i) / b.get(i));
        }
        return median(ratios);
    }
}
