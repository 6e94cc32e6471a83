package io.trawl.capture.afpacket;

import io.trawl.bindings.packet.PacketRingOptions;
import io.trawl.bindings.testsupport.VethRig;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.LiveSourceContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@code afpacket:} with two sockets in a fanout group passes the capture-source contract: the reference
 * capture is replayed with tcpreplay into a veth pair inside namespaces of the test's own.
 */
class AfPacketSourceContractTest extends LiveSourceContractTest {
    private static VethRig rig;

    @BeforeAll
    static void createRig() {
        rig = VethRig.create("afpkt", 1);
    }

    @AfterAll
    static void deleteRig() {
        if (rig != null) {
            rig.close();
        }
    }

    @Override
    protected VethRig rig() {
        return rig;
    }

    @Override
    protected CaptureSource openOnReceiver(final String interfaceName) {
        return AfPacketSource.open(interfaceName, 2, new PacketRingOptions(1 << 16, 128, 5), false);
    }
}
