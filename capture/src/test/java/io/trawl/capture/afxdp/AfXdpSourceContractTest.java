package io.trawl.capture.afxdp;

import io.trawl.bindings.testsupport.VethRig;
import io.trawl.bindings.xdp.XdpSocket;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.LiveSourceContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@code afxdp:} in generic (skb) mode passes the capture-source contract: the reference capture is
 * replayed with tcpreplay into a veth pair inside namespaces of the test's own.
 */
class AfXdpSourceContractTest extends LiveSourceContractTest {
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
    protected VethRig rig() {
        return rig;
    }

    @Override
    protected CaptureSource openOnReceiver(final String interfaceName) {
        return AfXdpSource.open(AfXdpOptions.defaults(interfaceName, AfXdpOptions.ALL_QUEUES, mode()));
    }
}
