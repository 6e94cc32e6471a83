package io.trawl.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real captures for tests: {@code ../shared/corpus} (found through the {@code trawl.shared.dir} system
 * property the build sets) and the captures Debian packages ship. Tests that need a capture skip with a
 * message naming what is missing instead of failing.
 */
public final class SharedCorpus {
    public static final String DPKT_DATA = "/usr/share/doc/python3-dpkt/examples/data";
    public static final String GOPACKET = "/usr/share/gocode/src/github.com/google/gopacket";

    private SharedCorpus() {
    }

    /** The shared directory (may not exist). */
    public static Path sharedDirectory() {
        final String property = System.getProperty("trawl.shared.dir");
        return property != null ? Path.of(property) : Path.of("..", "shared");
    }

    /** {@code ../shared/corpus/16minutes.pcap}, or the test is skipped. */
    public static Path sixteenMinutes() {
        return require(sharedDirectory().resolve("corpus").resolve("16minutes.pcap"), "../shared is absent");
    }

    /** A file from python3-dpkt's examples, or the test is skipped. */
    public static Path dpkt(final String name) {
        return require(Path.of(DPKT_DATA, name), "install the Debian package python3-dpkt");
    }

    /** A file under gopacket's source tree, or the test is skipped. */
    public static Path gopacket(final String relative) {
        return require(Path.of(GOPACKET, relative), "install the Debian package golang-github-google-gopacket-dev");
    }

    /** {@code path}, or skip the test saying why it is missing. */
    public static Path require(final Path path, final String remedy) {
        Assumptions.assumeTrue(Files.exists(path), () -> "skipped: " + path + " not found (" + remedy + ")");
        return path;
    }
}
