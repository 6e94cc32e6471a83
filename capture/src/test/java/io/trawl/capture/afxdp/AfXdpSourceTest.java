package io.trawl.capture.afxdp;

import io.trawl.bindings.linux.NetworkNamespace;
import io.trawl.bindings.testsupport.VethRig;
import io.trawl.bindings.xdp.XdpSocket;
import io.trawl.capture.CaptureException;
import io.trawl.capture.CaptureSources;
import io.trawl.capture.LiveReplay;
import io.trawl.capture.ReceiveQueue;
import io.trawl.capture.VlanCapture;
import io.trawl.testsupport.ReferencePcap;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import io.trawl.config.ConfigException;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code afxdp:} beyond the contract: queues, modes, errors and the kernel's drop counters, on a real veth. */
class AfXdpSourceTest {
    private static VethRig rig;
    private static VethRig twoQueues;

    @BeforeAll
    static void createRigs() {
        VethRig.requirePrerequisites();
        Assumptions.assumeTrue(XdpSocket.kernelSupportsAfXdp(), "skipped: this kernel has no AF_XDP (CONFIG_XDP_SOCKETS)");
        rig = VethRig.create("xdpsrc", 1);
        twoQueues = VethRig.create("xdpmq", 2);
    }

    @AfterAll
    static void deleteRigs() {
        for (final VethRig r : new VethRig[] {rig, twoQueues}) {
            if (r != null) {
                r.close();
            }
        }
    }

    private static <T> T inReceiver(final VethRig on, final Supplier<T> action) {
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(on.receiverNamespace())) {
            return action.get();
        }
    }

    private static TrawlContext context(final String... settings) {
        final TrawlContext context = new TrawlContext();
        for (int i = 0; i < settings.length; i += 2) {
            context.setRaw(TrawlSettings.byKey(settings[i]), settings[i + 1], "test");
        }
        return context.conclude();
    }

    @Test
    void aMissingInterfaceIsAConfigurationErrorNamingTheSourceAndTheInterfacesThatExist() {
        assertThatThrownBy(() -> inReceiver(rig, () -> CaptureSources.open("afxdp:nosuch0", context())))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("source")
            .hasMessageContaining("no network interface named 'nosuch0'")
            .hasMessageContaining("rx0");
    }

    @Test
    void aQueueOutOfRangeSaysWhichQueuesExist() {
        assertThatThrownBy(() -> inReceiver(rig, () -> CaptureSources.open("afxdp:rx0@3", context())))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("afxdp:rx0@3: queue out of range; rx0 has 1 active RX queue (0)");
    }

    @Test
    void malformedSpecsAreConfigurationErrors() {
        assertThatThrownBy(() -> CaptureSources.open("afxdp:", context())).isInstanceOf(ConfigException.class)
            .hasMessageContaining("expected afxdp:IFACE or afxdp:IFACE@QUEUE");
        assertThatThrownBy(() -> CaptureSources.open("afxdp:rx0@x", context())).isInstanceOf(ConfigException.class)
            .hasMessageContaining("the queue after '@' must be a number");
        assertThatThrownBy(() -> CaptureSources.open("afxdp:rx0", context("afxdp.xdp_mode", "skb", "afxdp.bind_mode",
            "zerocopy"))).isInstanceOf(ConfigException.class).hasMessageContaining("afxdp.bind_mode");
        assertThatThrownBy(() -> context("afxdp.rx_ring", "1000")).isInstanceOf(ConfigException.class)
            .hasMessageContaining("afxdp.rx_ring").hasMessageContaining("power of two");
    }

    @Test
    void autoModeUsesTheDriverAndFallsBackToCopyWithAMessageOnVeth() {
        try (var source = inReceiver(rig, () -> CaptureSources.open("afxdp:rx0", context()))) {
            assertThat(source.description()).contains("afxdp:rx0 (queue 0 of 1, drv mode, copy")
                .contains("zero-copy unsupported by the driver (EOPNOTSUPP), using copy mode");
            assertThat(rig.receiverHasXdpProgram()).isTrue();
        }
        assertThat(rig.receiverHasXdpProgram()).as("close detaches").isFalse();
    }

    @Test
    void explicitZeroCopyOnVethIsRefusedWithTheReason() {
        assertThatThrownBy(() -> inReceiver(rig, () -> CaptureSources.open("afxdp:rx0",
            context("afxdp.xdp_mode", "drv", "afxdp.bind_mode", "zerocopy"))))
            .isInstanceOf(CaptureException.class)
            .hasMessageContaining("EOPNOTSUPP")
            .hasMessageContaining("no AF_XDP zero-copy");
        assertThat(rig.receiverHasXdpProgram()).as("a failed open leaves nothing attached").isFalse();
    }

    @Test
    void aSecondCaptureOnTheSameInterfaceIsRefusedAndTheFirstKeepsRunning() {
        try (var first = inReceiver(rig, () -> CaptureSources.open("afxdp:rx0", context("afxdp.xdp_mode", "skb")))) {
            assertThatThrownBy(() -> inReceiver(rig, () -> CaptureSources.open("afxdp:rx0", context("afxdp.xdp_mode", "skb"))))
                .isInstanceOf(CaptureException.class)
                .hasMessageContaining("already has an XDP program attached");
            assertThat(first.queue(0).poll(packet -> { }, 1)).isNotNegative();
        }
    }

    @Test
    void opensOneSocketPerActiveQueueAndReceivesEverythingAcrossThem() throws Exception {
        final AfXdpSource source = inReceiver(twoQueues, () -> AfXdpSource.open(
            AfXdpOptions.defaults("rx0", AfXdpOptions.ALL_QUEUES, AfXdpOptions.XdpMode.SKB)));
        try (LiveReplay live = LiveReplay.start(source, twoQueues, SharedCorpus.sixteenMinutes(), "--topspeed")) {
            assertThat(live.queueCount()).isEqualTo(2);
            assertThat(live.description()).contains("queues 0-1 of 2");
            final long[] perQueue = receive(live, 7000);
            assertThat(perQueue[0] + perQueue[1]).isEqualTo(7000);
        }
    }

    @Test
    void busyPollingReceivesEverything() {
        final AfXdpOptions busy = new AfXdpOptions("rx0", AfXdpOptions.ALL_QUEUES, AfXdpOptions.XdpMode.DRV,
            AfXdpOptions.BindMode.AUTO, 2048, 32768, 16384, 16384, true, 1000, 64);
        final AfXdpSource source = inReceiver(rig, () -> AfXdpSource.open(busy));
        try (LiveReplay live = LiveReplay.start(source, rig, SharedCorpus.sixteenMinutes(), "--topspeed")) {
            assertThat(live.description()).contains("busy-poll when idle");
            assertThat(receive(live, 7000)[0]).isEqualTo(7000);
            assertThat(live.drops()).containsEntry("afxdp_rx_ring_full", 0L).containsEntry("afxdp_rx_dropped", 0L);
        }
    }

    @Test
    void packetsTheKernelCouldNotDeliverAreCountedAsDrops() throws Exception {
        final AfXdpOptions tiny = new AfXdpOptions("rx0", 0, AfXdpOptions.XdpMode.SKB, AfXdpOptions.BindMode.COPY, 2048,
            128, 64, 64, false, 500, 64);
        final AfXdpSource source = inReceiver(rig, () -> AfXdpSource.open(tiny));
        long received = 0;
        try (LiveReplay live = LiveReplay.start(source, rig, SharedCorpus.sixteenMinutes(), "--topspeed")) {
            // Nobody polls while the whole capture arrives: the 64-entry RX ring fills, the rest is dropped.
            LockSupport.parkNanos(1_500_000_000L);
            int polled;
            do {
                polled = live.queue(0).poll(packet -> { }, 64);
                received += Math.max(0, polled);
            } while (polled > 0);
            final var drops = live.drops();
            assertThat(drops).containsOnlyKeys("afxdp_rx_dropped", "afxdp_rx_ring_full");
            assertThat(drops.get("afxdp_rx_ring_full") + drops.get("afxdp_rx_dropped")).isPositive();
            assertThat(received + drops.get("afxdp_rx_ring_full") + drops.get("afxdp_rx_dropped"))
                .as("every packet is either received or counted").isEqualTo(7000);
        }
    }

    @Test
    void vlanTaggedFramesArriveUnchangedInSkbAndDrvMode(@TempDir final Path dir) {
        final Path capture = VlanCapture.write(dir.resolve("vlan.pcap"));
        final List<String> expected = ReferencePcap.read(capture).stream().map(r -> HexFormat.of().formatHex(r.data())).toList();
        for (final AfXdpOptions.XdpMode mode : new AfXdpOptions.XdpMode[] {AfXdpOptions.XdpMode.SKB, AfXdpOptions.XdpMode.DRV}) {
            final List<String> received = new ArrayList<>();
            final AfXdpSource source = inReceiver(rig, () -> AfXdpSource.open(AfXdpOptions.defaults("rx0", 0, mode)));
            try (LiveReplay live = LiveReplay.start(source, rig, capture, "--topspeed")) {
                final long deadline = System.nanoTime() + 30_000_000_000L;
                while (received.size() < expected.size() && System.nanoTime() < deadline) {
                    live.queue(0).poll(packet -> received.add(HexFormat.of().formatHex(packet.toByteArray())), 64);
                }
            }
            assertThat(received).as(mode + " mode").containsExactlyElementsOf(expected);
        }
    }

    static long[] receive(final LiveReplay live, final long expected) {
        final long[] perQueue = new long[live.queueCount()];
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (perQueue[0] + (perQueue.length > 1 ? perQueue[1] : 0) < expected && System.nanoTime() < deadline) {
            for (int q = 0; q < perQueue.length; q++) {
                final int n = live.queue(q).poll(packet -> { }, 64);
                assertThat(n).isNotEqualTo(ReceiveQueue.END_OF_INPUT);
                perQueue[q] += n;
            }
        }
        return perQueue;
    }
}
