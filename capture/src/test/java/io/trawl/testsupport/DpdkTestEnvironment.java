package io.trawl.testsupport;

import io.trawl.bindings.dpdk.Dpdk;
import io.trawl.bindings.dpdk.Eal;
import org.junit.jupiter.api.Assumptions;

import java.util.List;

/**
 * DPDK for tests: skips with the cause (which names the Debian packages) when the libraries are absent,
 * and gives every DPDK test of a JVM the same EAL arguments, because EAL is initialized once per process.
 * CI installs {@code dpdk} and {@code libdpdk-dev}.
 */
public final class DpdkTestEnvironment {
    /** What DPDK needs on a machine without hugepages or a DPDK-bound NIC. */
    public static final List<String> EAL_ARGUMENTS = List.of("--no-huge", "-m", "256", "--no-pci");

    private DpdkTestEnvironment() {
    }

    /** Skips the test unless the DPDK bindings are available. */
    public static void requireDpdk() {
        Assumptions.assumeTrue(Dpdk.isAvailable(), () -> "skipped: " + Dpdk.unavailabilityCause().getMessage());
    }

    /** {@link #EAL_ARGUMENTS} with the process defaults trawl adds (file prefix, lcore). */
    public static List<String> ealArguments() {
        return Eal.withProcessDefaults(EAL_ARGUMENTS, Eal.processFilePrefix());
    }
}
