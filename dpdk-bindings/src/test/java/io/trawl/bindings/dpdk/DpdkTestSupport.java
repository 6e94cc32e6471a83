package io.trawl.bindings.dpdk;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Shared fixture of the DPDK tests of one JVM: EAL is initialized once per process, always with
 * {@link #EAL_ARGUMENTS}. Tests that need DPDK skip with the cause (naming the Debian packages) when the
 * libraries are absent; CI installs {@code dpdk} and {@code libdpdk-dev}.
 */
public final class DpdkTestSupport {
    /** No hugepages, no NIC: what runs on any machine with the Debian packages. */
    public static final List<String> EAL_ARGUMENTS = List.of("--no-huge", "-m", "256", "--no-pci");

    private DpdkTestSupport() {
    }

    /** Skips the test unless the DPDK bindings are available. */
    public static void requireDpdk() {
        Assumptions.assumeTrue(Dpdk.isAvailable(), () -> "skipped: " + Dpdk.unavailabilityCause().getMessage());
    }

    /** Skips unless DPDK is available, then initializes EAL (once per JVM). */
    public static void requireEal() {
        requireDpdk();
        Eal.initialize(Eal.withProcessDefaults(EAL_ARGUMENTS, Eal.processFilePrefix()));
    }

    /** {@code ../shared/corpus/16minutes.pcap}, or the test is skipped. */
    public static Path sixteenMinutes() {
        final String shared = System.getProperty("trawl.shared.dir", "../shared");
        final Path path = Path.of(shared, "corpus", "16minutes.pcap");
        Assumptions.assumeTrue(Files.exists(path), () -> "skipped: " + path + " not found (../shared is absent)");
        return path;
    }
}
