package io.trawl.capture.afpacket;

import io.trawl.bindings.linux.NetworkNamespace;
import io.trawl.bindings.packet.PacketRingOptions;
import io.trawl.bindings.testsupport.VethRig;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSourceContractTest;
import io.trawl.capture.LiveReplay;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Path;

/**
 * {@code afpacket:} with two sockets in a fanout group passes the capture-source contract: the reference
 * capture is replayed with tcpreplay into a veth pair inside namespaces of the test's own.
 */
class AfPacketSourceContractTest extends CaptureSourceContractTest {
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
    protected Path referenceCapture() {
        return SharedCorpus.sixteenMinutes();
    }

    @Override
    protected long deliveryTimeoutSeconds() {
        return 30;
    }

    @Override
    protected CaptureSource openReplaying(final Path capture) {
        final AfPacketSource source;
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            source = AfPacketSource.open(rig.receiverInterface(), 2, new PacketRingOptions(1 << 16, 128, 5), false);
        }
        return LiveReplay.start(source, rig, capture, "--topspeed");
    }
}
