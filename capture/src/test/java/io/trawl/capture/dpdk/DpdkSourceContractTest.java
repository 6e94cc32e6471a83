package io.trawl.capture.dpdk;

import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSourceContractTest;
import io.trawl.testsupport.DpdkTestEnvironment;
import io.trawl.testsupport.SharedCorpus;

import java.nio.file.Path;

/** The capture source contract, for a DPDK pcap PMD replaying the reference capture. */
class DpdkSourceContractTest extends CaptureSourceContractTest {
    @Override
    protected Path referenceCapture() {
        return SharedCorpus.sixteenMinutes();
    }

    @Override
    protected CaptureSource openReplaying(final Path capture) {
        DpdkTestEnvironment.requireDpdk();
        return DpdkSource.open(new DpdkSource.Options("net_pcap0,rx_pcap=" + capture, DpdkTestEnvironment.ealArguments(),
            1, 1023, 32, 256, 32, true, true, Long.MAX_VALUE));
    }
}
