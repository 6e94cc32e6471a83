package io.trawl.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Files the rigs share: where they work, the Lua scripts they run, warming captures, cleaning up. */
public final class PerfFiles {
    private PerfFiles() {
    }

    /**
     * Where rigs write (outputs, staging): {@code /dev/shm} when writable (so disk speed does not blur
     * the comparison), else the temporary directory; {@code -Dtrawl.perf.work=DIR} overrides.
     */
    public static Path workRoot() {
        final String configured = System.getProperty("trawl.perf.work");
        if (configured != null) {
            return Path.of(configured);
        }
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** A Lua script from the perf resources ({@code /lua/NAME}), copied into {@code dir}. */
    public static Path script(final String name, final Path dir) throws IOException {
        final Path file = dir.resolve(name);
        try (InputStream in = PerfFiles.class.getResourceAsStream("/lua/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no perf script " + name);
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** Reads a capture once so every contestant finds it in the page cache. */
    public static void warm(final Path capture) throws IOException {
        try (InputStream in = Files.newInputStream(capture)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /** Deletes a directory tree (nothing when missing). */
    public static void delete(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The command running {@code trawl run} on a capture as a user does, through the {@code ./trawl} launcher
     * (trawl's flags and heap settings, the packaged jar, the build's AOT cache), one pipeline, no progress
     * bar; {@code settings} ({@code key=value}) go to a YAML config file beside OUT.
     */
    public static List<String> trawlRun(final Path capture, final Path out, final Path script, final String... settings) {
        final List<String> args = new ArrayList<>(List.of("run", "--source", "pcap:" + capture, "--out", out.toString(),
            "--progress", "never", "--pipelines", "1"));
        if (script != null) {
            args.add("--script");
            args.add(script.toString());
        }
        if (settings.length > 0) {
            final Path config = out.resolveSibling(out.getFileName() + ".yaml");
            final StringBuilder yaml = new StringBuilder();
            for (final String setting : settings) {
                final int eq = setting.indexOf('=');
                yaml.append(setting, 0, eq).append(": ").append(setting.substring(eq + 1)).append('\n');
            }
            try {
                Files.writeString(config, yaml);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
            args.add("--config");
            args.add(config.toString());
        }
        return Peer.launcherCommand(args.toArray(new String[0]));
    }
}
