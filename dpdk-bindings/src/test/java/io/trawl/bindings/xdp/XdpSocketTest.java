package io.trawl.bindings.xdp;

import io.trawl.bindings.NativeException;
import io.trawl.bindings.linux.Errno;
import io.trawl.bindings.linux.NetworkInterfaces;
import io.trawl.bindings.linux.NetworkNamespace;
import io.trawl.bindings.testsupport.VethRig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The raw AF_XDP bindings against a real kernel: a veth pair in namespaces of the test's own, packets from
 * tcpreplay, received by reading the rings directly.
 */
class XdpSocketTest {
    /** Rings larger than the capture: a receiver still cold (interpreted, GC) cannot lose packets. */
    private static final XdpSocketOptions OPTIONS = new XdpSocketOptions(2048, 16384, 8192, 8192, false, false, 64);
    private static VethRig rig;

    @BeforeAll
    static void createRig() {
        VethRig.requirePrerequisites();
        Assumptions.assumeTrue(XdpSocket.kernelSupportsAfXdp(), "skipped: this kernel has no AF_XDP (CONFIG_XDP_SOCKETS)");
        rig = VethRig.create("xsk", 1);
    }

    @AfterAll
    static void deleteRig() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void redirectProgramIsTheVerifiedSixSlotSequence() {
        assertThat(HexFormat.of().formatHex(XdpRedirectProgram.instructions(0x0A0B0C0D))).isEqualTo(
            "6112100000000000" + "181100000d0c0b0a" + "0000000000000000" + "b703000002000000" + "8500000033000000"
                + "9500000000000000");
    }

    @Test
    void receivesEveryReplayedPacketThroughTheRingsAndDetachesOnClose() throws Exception {
        final Path capture = sixteenMinutes();
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            final int ifindex = NetworkInterfaces.index(rig.receiverInterface());
            try (XdpRedirectProgram program = XdpRedirectProgram.attach(rig.receiverInterface(), ifindex, 1,
                XdpRedirectProgram.AttachMode.SKB);
                 XdpSocket socket = XdpSocket.open(rig.receiverInterface(), ifindex, 0, OPTIONS)) {
                program.register(0, socket.fd());
                assertThat(rig.receiverHasXdpProgram()).isTrue();
                final Process replay = rig.startReplay(capture, "--topspeed");
                long packets = 0;
                long bytes = 0;
                long outsideUmem = 0;
                final long[] frames = new long[64];
                final long deadline = System.nanoTime() + 60_000_000_000L;
                while (packets < 7000 && System.nanoTime() < deadline) {
                    final XdpRxRing rx = socket.rxRing();
                    final int n = rx.available(64);
                    for (int i = 0; i < n; i++) {
                        frames[i] = rx.address(i);
                        bytes += rx.length(i);
                        outsideUmem += rx.address(i) + rx.length(i) > socket.umem().byteSize() ? 1 : 0;
                    }
                    rx.release(n);
                    socket.recycle(frames, n);
                    packets += n;
                }
                assertThat(replay.waitFor()).isZero();
                assertThat(packets).as("packets; kernel statistics %s", socket.statistics()).isEqualTo(7000);
                assertThat(bytes).isEqualTo(1_819_784);
                assertThat(outsideUmem).isZero();
                final XdpStatistics statistics = socket.statistics();
                assertThat(statistics.packetsLost()).isZero();
                assertThat(statistics.rxInvalidDescriptors()).isZero();
            }
            assertThat(rig.receiverHasXdpProgram()).as("closing the link detaches the program").isFalse();
        }
    }

    @Test
    void explainsAQueueThatDoesNotExist() {
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            final int ifindex = NetworkInterfaces.index(rig.receiverInterface());
            assertThatThrownBy(() -> XdpSocket.open(rig.receiverInterface(), ifindex, 7, OPTIONS))
                .isInstanceOf(NativeException.class)
                .hasMessageContaining("queue 7 does not exist on rx0")
                .hasMessageContaining("ethtool -l rx0")
                .extracting(e -> ((NativeException) e).errno()).isEqualTo(Errno.EINVAL);
        }
    }

    @Test
    void explainsThatVethHasNoZeroCopy() {
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            final int ifindex = NetworkInterfaces.index(rig.receiverInterface());
            final XdpSocketOptions zeroCopy = new XdpSocketOptions(2048, 4096, 2048, 2048, true, false, 64);
            assertThatThrownBy(() -> XdpSocket.open(rig.receiverInterface(), ifindex, 0, zeroCopy))
                .isInstanceOf(NativeException.class)
                .hasMessageContaining("zero-copy")
                .hasMessageContaining("copy mode");
        }
    }

    @Test
    void aSecondAttachmentIsRefusedWithAnExplanationAndTheFirstStays() {
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            final int ifindex = NetworkInterfaces.index(rig.receiverInterface());
            try (XdpRedirectProgram first = XdpRedirectProgram.attach("rx0", ifindex, 1, XdpRedirectProgram.AttachMode.SKB)) {
                assertThatThrownBy(() -> XdpRedirectProgram.attach("rx0", ifindex, 1, XdpRedirectProgram.AttachMode.SKB))
                    .isInstanceOf(NativeException.class)
                    .hasMessageContaining("already has an XDP program attached");
                assertThat(rig.receiverHasXdpProgram()).isTrue();
            }
        }
    }

    @Test
    void aMissingInterfaceNamesTheOnesThatExist() {
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            assertThatThrownBy(() -> NetworkInterfaces.index("nosuch0"))
                .isInstanceOf(NativeException.class)
                .hasMessageContaining("no network interface named 'nosuch0'")
                .hasMessageContaining("rx0");
        }
    }

    @Test
    void reportsTheRxQueuesOfTheInterface() {
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            final NetworkInterfaces.RxQueues queues = NetworkInterfaces.rxQueues("rx0");
            assertThat(queues.active()).isEqualTo(1);
            assertThat(NetworkInterfaces.hardwareType("rx0")).isEqualTo(NetworkInterfaces.ARPHRD_ETHER);
            assertThat(NetworkInterfaces.mtu("rx0")).isEqualTo(1500);
        }
    }

    static Path sixteenMinutes() {
        final Path path = Path.of(System.getProperty("trawl.shared.dir", "../shared"), "corpus", "16minutes.pcap");
        Assumptions.assumeTrue(Files.exists(path), () -> "skipped: " + path + " not found (../shared is absent)");
        return path;
    }
}
