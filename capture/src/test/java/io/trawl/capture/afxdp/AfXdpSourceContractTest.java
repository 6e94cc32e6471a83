package io.trawl.capture.afxdp;

import io.trawl.bindings.linux.NetworkNamespace;
import io.trawl.bindings.testsupport.VethRig;
import io.trawl.bindings.xdp.XdpSocket;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSourceContractTest;
import io.trawl.capture.LiveReplay;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Path;

/**
 * {@code afxdp:} in generic (skb) mode passes the capture-source contract: the reference capture is
 * replayed with tcpreplay into a veth pair inside namespaces of the test's own.
 */
class AfXdpSourceContractTest extends CaptureSourceContractTest {
    static VethRig rig;

    @BeforeAll
    static void createRig() {
        VethRig.requirePrerequisites();
        Assumptions.assumeTrue(XdpSocket.kernelSupportsAfXdp(), "skipped: this kernel has no AF_XDP (CONFIG_XDP_SOCKETS)");
        rig = VethRig.create("afxdp", 1);
    }

    @AfterAll
    static void deleteRig() {
        if (rig != null) {
            rig.close();
        }
    }

    /** Where the program runs in this variant. */
    protected AfXdpOptions.XdpMode mode() {
        return AfXdpOptions.XdpMode.SKB;
    }

    @Override
    protected Path referenceCapture() {
        return SharedCorpus.sixteenMinutes();
    }

    @Override
    protected long deliveryTimeoutSeconds() {
        return 30;
    }

    @Override
    protected CaptureSource openReplaying(final Path capture) {
        final AfXdpSource source;
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            source = AfXdpSource.open(AfXdpOptions.defaults(rig.receiverInterface(), AfXdpOptions.ALL_QUEUES, mode()));
        }
        return LiveReplay.start(source, rig, capture, "--topspeed");
    }
}
