package io.trawl.capture.afpacket;

import io.trawl.bindings.linux.NetworkNamespace;
import io.trawl.bindings.packet.PacketRingOptions;
import io.trawl.bindings.testsupport.VethRig;
import io.trawl.capture.CaptureSources;
import io.trawl.capture.LiveReplay;
import io.trawl.capture.PacketView;
import io.trawl.capture.VlanCapture;
import io.trawl.config.ConfigException;
import io.trawl.config.TrawlContext;
import io.trawl.testsupport.ReferencePcap;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code afpacket:} beyond the contract: fanout by flow, VLAN tags, drops and errors, on a real veth. */
class AfPacketSourceTest {
    private static VethRig rig;

    @BeforeAll
    static void createRig() {
        rig = VethRig.create("afpsrc", 1);
    }

    @AfterAll
    static void deleteRig() {
        if (rig != null) {
            rig.close();
        }
    }

    private static AfPacketSource open(final int sockets, final PacketRingOptions ring) {
        return open(sockets, ring, false);
    }

    private static AfPacketSource open(final int sockets, final PacketRingOptions ring, final boolean busyPoll) {
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            return AfPacketSource.open("rx0", sockets, ring, busyPoll);
        }
    }

    @Test
    void busyPollingReceivesEverything() {
        long received = 0;
        try (LiveReplay live = LiveReplay.start(open(1, new PacketRingOptions(1 << 16, 128, 5), true), rig,
            SharedCorpus.sixteenMinutes(), "--topspeed")) {
            assertThat(live.description()).contains("busy-poll when idle");
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (received < 7000 && System.nanoTime() < deadline) {
                received += live.queue(0).poll(packet -> { }, 64);
            }
            assertThat(received).isEqualTo(7000);
            assertThat(live.drops()).containsEntry("afpacket_ring_full", 0L);
        }
    }

    @Test
    void fanoutKeepsBothDirectionsOfEveryFlowOnOneSocket() {
        final Map<String, Integer> socketOfFlow = new HashMap<>();
        final List<String> violations = new ArrayList<>();
        final long[] perSocket = new long[3];
        try (LiveReplay live = LiveReplay.start(open(3, new PacketRingOptions(1 << 16, 128, 5)), rig,
            SharedCorpus.sixteenMinutes(), "--topspeed")) {
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (perSocket[0] + perSocket[1] + perSocket[2] < 7000 && System.nanoTime() < deadline) {
                for (int q = 0; q < 3; q++) {
                    final int socket = q;
                    perSocket[q] += live.queue(q).poll(packet -> {
                        final String flow = flowOf(packet);
                        if (flow != null) {
                            final Integer previous = socketOfFlow.putIfAbsent(flow, socket);
                            if (previous != null && previous != socket) {
                                violations.add(flow);
                            }
                        }
                    }, 64);
                }
            }
            assertThat(perSocket[0] + perSocket[1] + perSocket[2]).isEqualTo(7000);
            assertThat(violations).as("flows split across sockets").isEmpty();
            assertThat(Arrays.stream(perSocket).filter(n -> n > 0).count()).as("the hash spreads flows").isGreaterThan(1);
            assertThat(live.drops()).containsEntry("afpacket_ring_full", 0L);
        }
    }

    /** The unordered IPv4 TCP/UDP 5-tuple of an Ethernet frame, or null. */
    private static String flowOf(final PacketView packet) {
        if (packet.captureLength() < 38 || packet.u16(12) != 0x0800) {
            return null;
        }
        final int protocol = packet.u8(23);
        if (protocol != 6 && protocol != 17) {
            return null;
        }
        final int ihl = (packet.u8(14) & 0x0F) * 4;
        final String a = Integer.toHexString(packet.i32(26)) + ":" + packet.u16(14 + ihl);
        final String b = Integer.toHexString(packet.i32(30)) + ":" + packet.u16(14 + ihl + 2);
        return protocol + (a.compareTo(b) < 0 ? a + "-" + b : b + "-" + a);
    }

    @Test
    void vlanTagsTheKernelStripsArePutBackInPlace(@TempDir final Path dir) {
        final Path capture = VlanCapture.write(dir.resolve("vlan.pcap"));
        final List<ReferencePcap.Record> expected = ReferencePcap.read(capture);
        final List<String> received = new ArrayList<>();
        try (LiveReplay live = LiveReplay.start(open(1, new PacketRingOptions(1 << 16, 8, 5)), rig, capture, "--topspeed")) {
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (received.size() < expected.size() && System.nanoTime() < deadline) {
                live.queue(0).poll(packet -> received.add(HexFormat.of().formatHex(packet.toByteArray())), 64);
            }
        }
        assertThat(received).containsExactlyElementsOf(expected.stream()
            .map(r -> HexFormat.of().formatHex(r.data())).toList());
        assertThat(received.getFirst()).as("tagged frames keep their 802.1Q tag").contains("81000064");
    }

    @Test
    void packetsLostToAFullRingAreCountedAsDrops() {
        long received = 0;
        try (LiveReplay live = LiveReplay.start(open(1, new PacketRingOptions(4096, 2, 1)), rig,
            SharedCorpus.sixteenMinutes(), "--topspeed")) {
            LockSupport.parkNanos(1_500_000_000L);
            int polled;
            do {
                polled = live.queue(0).poll(packet -> { }, 64);
                received += polled;
            } while (polled > 0);
            final long drops = live.drops().get("afpacket_ring_full");
            assertThat(drops).isPositive();
            assertThat(received + drops).as("every packet is either received or counted").isEqualTo(7000);
        }
    }

    @Test
    void aMissingInterfaceIsAConfigurationError() {
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig.receiverNamespace())) {
            assertThatThrownBy(() -> CaptureSources.open("afpacket:nosuch0", new TrawlContext().conclude()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no network interface named 'nosuch0'");
            assertThatThrownBy(() -> CaptureSources.open("afpacket:rx0@1", new TrawlContext().conclude()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("expected afpacket:IFACE");
        }
    }
}
