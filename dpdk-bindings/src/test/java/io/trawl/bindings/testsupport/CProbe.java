package io.trawl.bindings.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Compiles and runs a tiny C program that prints {@code NAME=value} lines (sizes, offsets, constants from
 * the installed headers), so that struct layouts hard-coded in the bindings are checked against the
 * system's C headers. Skips the test without gcc.
 */
public final class CProbe {
    private CProbe() {
    }

    /**
     * @param includes header names, e.g. {@code linux/if_xdp.h}
     * @param values   name → C expression (e.g. {@code offsetof(struct xdp_umem_reg, chunk_size)})
     * @return name → value
     */
    public static Map<String, Long> evaluate(final Iterable<String> includes, final Map<String, String> values) {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "skipped: gcc not found (apt-get install gcc)");
        try {
            final Path dir = Files.createTempDirectory("trawl-cprobe");
            try {
                final StringBuilder source = new StringBuilder("#define _GNU_SOURCE\n#include <stdio.h>\n#include <stddef.h>\n");
                for (final String include : includes) {
                    source.append("#include <").append(include).append(">\n");
                }
                source.append("int main(void) {\n");
                values.forEach((name, expression) -> source.append("  printf(\"%s=%ld\\n\", \"").append(name)
                    .append("\", (long) (").append(expression).append("));\n"));
                source.append("  return 0;\n}\n");
                final Path c = dir.resolve("probe.c");
                final Path binary = dir.resolve("probe");
                Files.writeString(c, source);
                run(dir, "gcc", "-o", binary.toString(), c.toString());
                final Map<String, Long> out = new LinkedHashMap<>();
                for (final String line : run(dir, binary.toString()).split("\n")) {
                    final int eq = line.indexOf('=');
                    if (eq > 0) {
                        out.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1).trim()));
                    }
                }
                return out;
            } finally {
                try (var files = Files.list(dir)) {
                    for (final Path file : files.toList()) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String run(final Path dir, final String... command) throws IOException {
        final Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + output);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return output;
    }
}
