package io.trawl.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a peer tool (tshark, capinfos, tcpdump...) as an independent oracle. A missing tool skips the
 * test with the Debian package to install; CI installs them all.
 */
public final class ExternalTool {
    private ExternalTool() {
    }

    /** Skips the test unless {@code command} is on PATH. */
    public static void require(final String command, final String debianPackage) {
        Assumptions.assumeTrue(available(command),
            () -> "skipped: " + command + " not found (apt-get install " + debianPackage + ")");
    }

    /** True when {@code command} is on PATH. */
    public static boolean available(final String command) {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command, returns its standard output; fails the test on a non-zero exit. */
    public static String run(final String... command) {
        final Result result = runAllowingFailure(command);
        if (result.exitCode() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + result.exitCode() + ": " + result.stderr());
        }
        return result.stdout();
    }

    /** The outcome of a command. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs a command and returns exit code and output, whatever the exit code. */
    public static Result runAllowingFailure(final String... command) {
        try {
            final Path err = Files.createTempFile("trawl-tool", ".err");
            final Path out = Files.createTempFile("trawl-tool", ".out");
            try {
                final Process process = new ProcessBuilder(new ArrayList<>(List.of(command)))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!process.waitFor(10, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish in 10 minutes");
                }
                return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(err);
                Files.deleteIfExists(out);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Packet count and total captured bytes according to tshark. Records without a link-layer
     * encapsulation (pcapng name-resolution, statistics or custom blocks, which tshark lists as frames)
     * are not packets and are left out.
     */
    public static long[] tsharkTotals(final Path capture) {
        require("tshark", "tshark");
        final String fields = run("tshark", "-n", "-r", capture.toString(), "-T", "fields", "-E", "separator=,",
            "-e", "frame.cap_len", "-e", "frame.encap_type");
        long frames = 0;
        long bytes = 0;
        for (final String line : fields.split("\n")) {
            final String[] parts = line.split(",", -1);
            if (parts.length == 2 && !parts[1].isBlank()) {
                frames++;
                bytes += Long.parseLong(parts[0].trim());
            }
        }
        return new long[] {frames, bytes};
    }
}
