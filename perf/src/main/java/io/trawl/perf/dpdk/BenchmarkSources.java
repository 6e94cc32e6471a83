package io.trawl.perf.dpdk;

import io.trawl.capture.dpdk.DpdkSource;
import io.trawl.capture.dpdk.DpdkSourceProvider;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;

import java.io.IOException;
import java.nio.file.Files;

/** The DPDK sources the JMH benchmarks poll: one queue, testpmd's mempool cache, no hugepages, no PCI. */
final class BenchmarkSources {
    private BenchmarkSources() {
    }

    /**
     * Opens {@code devargs} as a one-queue {@link DpdkSource} (EAL started on first use in this JVM).
     *
     * @param memoryMegabytes EAL memory ({@code -m})
     * @param mbufs           mbufs in the queue's pool
     */
    static DpdkSource open(final String devargs, final int memoryMegabytes, final int mbufs) throws IOException {
        final TrawlContext context = new TrawlContext()
            .setRaw(TrawlSettings.DPDK_EAL_ARGS, "--no-huge -m " + memoryMegabytes + " --no-pci", "benchmark")
            .setRaw(TrawlSettings.DPDK_MBUFS, String.valueOf(mbufs), "benchmark")
            .setRaw(TrawlSettings.DPDK_MBUF_CACHE, "250", "benchmark")
            .set(TrawlSettings.OUT, Files.createTempDirectory("trawl-jmh"), "benchmark")
            .conclude();
        return DpdkSource.open(DpdkSourceProvider.options(devargs, context));
    }
}
