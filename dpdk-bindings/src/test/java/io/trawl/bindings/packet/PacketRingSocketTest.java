package io.trawl.bindings.packet;

import io.trawl.bindings.NativeException;
import io.trawl.bindings.linux.NetworkInterfaces;
import io.trawl.bindings.linux.NetworkNamespace;
import io.trawl.bindings.testsupport.VethRig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The TPACKET_V3 bindings against a real kernel, through a veth pair in the test's own namespaces. */
class PacketRingSocketTest {
    /** 8 MiB: more than the whole capture (~2.5 MB with headers), so a reader the machine stalls loses nothing. */
    private static final PacketRingOptions OPTIONS = new PacketRingOptions(1 << 16, 128, 5);
    private static VethRig rig;

    @BeforeAll
    static void createRig() {
        rig = VethRig.create("tpv3", 1);
    }

    @AfterAll
    static void deleteRig() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void readsEveryReplayedPacketFromTheBlocks() throws Exception {
        final Path capture = Path.of(System.getProperty("trawl.shared.dir", "../shared"), "corpus", "16minutes.pcap");
        Assumptions.assumeTrue(Files.exists(capture), "skipped: ../shared/corpus/16minutes.pcap not found");
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace());
             PacketRingSocket socket = PacketRingSocket.open("rx0", NetworkInterfaces.index("rx0"), OPTIONS,
                 PacketRingSocket.NO_FANOUT)) {
            final Process replay = rig.startReplay(capture, "--topspeed");
            long packets = 0;
            long bytes = 0;
            int block = 0;
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (packets < 7000 && System.nanoTime() < deadline) {
                if (!socket.blockReadyAcquire(block)) {
                    Thread.onSpinWait();
                    continue;
                }
                long packet = socket.firstPacket(block);
                final int count = socket.blockPacketCount(block);
                for (int i = 0; i < count; i++) {
                    bytes += socket.packetCaptureLength(packet);
                    assertThat(socket.packetWireLength(packet)).isEqualTo(socket.packetCaptureLength(packet));
                    assertThat(socket.packetTimestampNanos(packet)).isPositive();
                    packet = socket.nextPacket(packet);
                }
                packets += count;
                socket.releaseBlock(block);
                block = (block + 1) % socket.blockCount();
            }
            assertThat(replay.waitFor()).isZero();
            assertThat(packets).as("packets; kernel statistics %s", java.util.Arrays.toString(socket.statistics()))
                .isEqualTo(7000);
            assertThat(bytes).isEqualTo(1_819_784);
            assertThat(socket.statistics()[1]).as("drops").isZero();
        }
    }

    @Test
    void socketsOfOneFanoutGroupShareItsId() {
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            final int ifindex = NetworkInterfaces.index("rx0");
            try (PacketRingSocket first = PacketRingSocket.open("rx0", ifindex, OPTIONS, PacketRingSocket.NEW_FANOUT_GROUP)) {
                final int group = first.fanoutGroup();
                assertThat(group).isNotNegative();
                try (PacketRingSocket second = PacketRingSocket.open("rx0", ifindex, OPTIONS, group)) {
                    assertThat(second.fanoutGroup()).isEqualTo(group);
                }
            }
        }
    }

    @Test
    void aRingTooLargeForTheKernelIsExplained() {
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            final int ifindex = NetworkInterfaces.index("rx0");
            assertThatThrownBy(() -> PacketRingSocket.open("rx0", ifindex, new PacketRingOptions(1 << 30, 1 << 20, 5),
                PacketRingSocket.NO_FANOUT))
                .isInstanceOf(NativeException.class)
                .hasMessageContaining("cannot create the TPACKET_V3 ring of rx0");
        }
    }
}
