package io.trawl.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The JVM flags of trawl, as the root pom declares them (read from the {@code trawl-jvm.options}
 * resource the deploy module filters from the pom). Benchmarks fork JVMs with exactly these flags.
 */
public final class TrawlJvm {
    private TrawlJvm() {
    }

    /** The flags, split for {@code jvmArgsAppend} or a process command line. */
    public static String[] flags() {
        try (InputStream in = TrawlJvm.class.getClassLoader().getResourceAsStream("trawl-jvm.options")) {
            if (in == null) {
                throw new IllegalStateException("trawl-jvm.options not on the classpath (build the deploy module)");
            }
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            final String[] raw = text.split("\\s+");
            // "--add-opens X" pairs stay two arguments; JMH and ProcessBuilder take them as separate tokens.
            return Arrays.stream(raw).filter(s -> !s.isEmpty()).toArray(String[]::new);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The java launcher of the running JVM (JDK 25). */
    public static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
