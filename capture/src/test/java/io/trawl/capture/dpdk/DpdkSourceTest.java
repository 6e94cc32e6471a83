package io.trawl.capture.dpdk;

import io.trawl.capture.CaptureException;
import io.trawl.capture.PacketHandler;
import io.trawl.capture.ReceiveQueue;
import io.trawl.capture.synthetic.PcapWriter;
import io.trawl.config.ConfigException;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.testsupport.DpdkTestEnvironment;
import io.trawl.testsupport.ReferencePcap;
import io.trawl.testsupport.SharedCorpus;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link DpdkSource} beyond the contract: queues and RSS, live sources, limits, clocks, losses, errors. */
class DpdkSourceTest {
    private static DpdkSource.Options options(final String device, final int queues, final boolean rss, final long limit) {
        return new DpdkSource.Options(device, DpdkTestEnvironment.ealArguments(), queues, 1023, 32, 256, 32, rss, true, limit);
    }

    @Test
    void oneQueuePerPipelineWithSymmetricRssAndAnExactPacketLimitAcrossQueues() {
        DpdkTestEnvironment.requireDpdk();
        try (DpdkSource source = DpdkSource.open(options("net_null0", 2, true, 1000))) {
            assertThat(source.queueCount()).isEqualTo(2);
            assertThat(source.isFinite()).isFalse();
            assertThat(source.description()).contains("net_null", "2 RX queues with symmetric RSS", "wall clock");
            final long[] perQueue = new long[2];
            final boolean[] ended = new boolean[2];
            while (!ended[0] || !ended[1]) {
                for (int q = 0; q < 2; q++) {
                    if (ended[q]) {
                        continue;
                    }
                    final int polled = source.queue(q).poll(packet -> { }, q == 0 ? 64 : 16);
                    if (polled == ReceiveQueue.END_OF_INPUT) {
                        ended[q] = true;
                    } else {
                        perQueue[q] += polled;
                    }
                }
            }
            assertThat(perQueue[0] + perQueue[1]).isEqualTo(1000);
            assertThat(perQueue[0]).isPositive();
            assertThat(perQueue[1]).isPositive();
            assertThat(source.statistics()).containsEntry("packets_delivered", 1000L).containsEntry("rx_queues", 2L);
        }
    }

    @Test
    void withoutRssOneQueueServesEveryPipelineThroughTheDispatcher() {
        DpdkTestEnvironment.requireDpdk();
        try (DpdkSource source = DpdkSource.open(options("net_null0", 3, false, Long.MAX_VALUE))) {
            assertThat(source.queueCount()).isEqualTo(1);
            assertThat(source.queue(0).packetMemoryOutlivesPoll()).as("mbufs return to the pool after a poll").isFalse();
            assertThat(source.description()).contains("software hash");
        }
        try (DpdkSource source = DpdkSource.open(options("net_pcap0,rx_pcap=" + SharedCorpus.sixteenMinutes(), 2, true,
            Long.MAX_VALUE))) {
            assertThat(source.queueCount()).as("the pcap PMD has no RSS").isEqualTo(1);
            assertThat(source.isFinite()).isTrue();
            assertThat(source.description()).contains("no RSS", "the capture file");
        }
    }

    @Test
    void liveDevicesStampPacketsWithTheWallClockAndReportTheirLosses() {
        DpdkTestEnvironment.requireDpdk();
        final long before = System.currentTimeMillis() * 1_000_000L;
        final long[] stamps = new long[2];
        try (DpdkSource source = DpdkSource.open(options("net_null0", 1, true, Long.MAX_VALUE))) {
            assertThat(source.queue(0).poll(packet -> {
                stamps[0] = packet.timestampNanos();
                stamps[1] = packet.captureLength();
            }, 8)).isEqualTo(8);
            assertThat(stamps[0]).isBetween(before - 1_000_000_000L, System.currentTimeMillis() * 1_000_000L + 1_000_000_000L);
            assertThat(stamps[1]).as("net_null's default packet size").isEqualTo(64);
            assertThat(source.drops()).containsOnlyKeys("imissed", "rx_nombuf", "ierrors");
            source.close();
            assertThat(source.drops()).as("readable after close").containsEntry("rx_nombuf", 0L);
            assertThat(source.statistics()).containsEntry("device_packets", 8L);
        }
    }

    @Test
    void aPollsPacketsStayReadableUntilTheNextPollWhichReturnsTheirMbufsToThePool() {
        DpdkTestEnvironment.requireDpdk();
        final Path capture = SharedCorpus.sixteenMinutes();
        final List<ReferencePcap.Record> expected = ReferencePcap.read(capture);
        final List<long[]> views = new java.util.ArrayList<>();
        int next = 0;
        // 1,023 mbufs for 7,000 packets: the file is read through only if every poll's mbufs come back.
        try (DpdkSource source = DpdkSource.open(options("net_pcap0,rx_pcap=" + capture, 1, true, Long.MAX_VALUE))) {
            final ReceiveQueue queue = source.queue(0);
            assertThat(queue.packetMemoryValidUntilNextPoll()).isTrue();
            assertThat(queue.packetMemoryOutlivesPoll()).isFalse();
            while (true) {
                views.clear();
                final int polled = queue.poll(packet -> views.add(new long[] {packet.offset(), packet.captureLength()}), 100);
                if (polled == ReceiveQueue.END_OF_INPUT) {
                    break;
                }
                // after the poll returned: every packet of it still reads as the file has it
                for (final long[] view : views) {
                    final byte[] data = expected.get(next++).data();
                    final byte[] read = java.lang.foreign.MemorySegment.ofAddress(view[0]).reinterpret(view[1])
                        .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    assertThat(read).as("packet %d after its poll", next - 1).isEqualTo(data);
                }
            }
            assertThat(next).isEqualTo(expected.size());
            assertThat(source.drops()).containsEntry("rx_nombuf", 0L);
        }
    }

    @Test
    void pollingAllocatesNothingPerPacket() {
        DpdkTestEnvironment.requireDpdk();
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long[] bytes = new long[1];
        final PacketHandler handler = packet -> bytes[0] += packet.captureLength() + packet.u8(0);
        try (DpdkSource source = DpdkSource.open(options("net_null0", 1, true, Long.MAX_VALUE))) {
            final ReceiveQueue queue = source.queue(0);
            for (int i = 0; i < 200_000; i++) {
                queue.poll(handler, 64);
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            final int polls = 100_000;
            for (int i = 0; i < polls; i++) {
                queue.poll(handler, 64);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(bytes[0]).isPositive();
            assertThat(allocated).as("heap bytes over " + polls * 64 + " packets").isLessThan(polls / 10);
        }
    }

    @Test
    void aDeviceThatCannotOpenIsACaptureExceptionNamingIt() {
        DpdkTestEnvironment.requireDpdk();
        assertThatThrownBy(() -> DpdkSource.open(options("net_pcap0,rx_pcap=/nonexistent.pcap", 1, true, Long.MAX_VALUE)))
            .isInstanceOf(CaptureException.class).hasMessageContaining("dpdk:net_pcap0,rx_pcap=/nonexistent.pcap");
        // and the device name is free again
        DpdkSource.open(options("net_pcap0,rx_pcap=" + SharedCorpus.sixteenMinutes(), 1, true, 10)).close();
    }

    @Test
    void framesLargerThanAnMbufArriveChainedAndAreGatheredWhole(@org.junit.jupiter.api.io.TempDir final Path work) {
        DpdkTestEnvironment.requireDpdk();
        final Path capture = work.resolve("jumbo.pcap");
        final java.util.Random random = new java.util.Random(7);
        final int[] sizes = {60, 1514, 2048, 2049, 4000, 9014, 16000, 60, 65000};
        try (PcapWriter writer = PcapWriter.ethernet(capture)) {
            for (int i = 0; i < sizes.length; i++) {
                final byte[] frame = new byte[sizes[i]];
                random.nextBytes(frame);
                writer.write(1_700_000_000_000_000_000L + i * 1_000_000L, frame, 0, frame.length);
            }
        }
        final List<ReferencePcap.Record> expected = ReferencePcap.read(capture);
        final List<ReferencePcap.Record> received = new java.util.ArrayList<>();
        try (DpdkSource source = DpdkSource.open(options("net_pcap1,rx_pcap=" + capture, 1, true, Long.MAX_VALUE))) {
            while (source.queue(0).poll(packet -> received.add(new ReferencePcap.Record(packet.timestampNanos(),
                packet.wireLength(), packet.toByteArray())), 4) != ReceiveQueue.END_OF_INPUT) {
                Thread.onSpinWait();
            }
            assertThat(received).isEqualTo(expected);
            assertThat(source.statistics().get("multi_segment_packets")).as("frames over the 2048-byte data room")
                .isEqualTo(java.util.Arrays.stream(sizes).filter(size -> size > 2048).count());
        }
    }

    @Test
    void fileReplayIsRecognizedFromTheDeviceArguments() {
        assertThat(DpdkSource.isFileReplay("net_pcap0,rx_pcap=/x.pcap")).isTrue();
        assertThat(DpdkSource.isFileReplay("net_pcap0,rx_pcap=/x.pcap,infinite_rx=1")).isFalse();
        assertThat(DpdkSource.isFileReplay("net_pcap0,rx_iface=eth0")).isFalse();
        assertThat(DpdkSource.isFileReplay("net_null0")).isFalse();
        assertThat(DpdkSource.isInfiniteReplay("net_pcap0,rx_pcap=/x.pcap,infinite_rx=1")).isTrue();
        assertThat(DpdkSource.isInfiniteReplay("net_pcap0,rx_pcap=/x.pcap")).isFalse();
    }

    // ---- configuration: messages name the key, no DPDK needed -----------------------------------

    private static TrawlContext context(final String ealArgs) {
        final TrawlContext context = new TrawlContext().set(TrawlSettings.OUT, Path.of("target/x"), "test");
        if (ealArgs != null) {
            context.setRaw(TrawlSettings.DPDK_EAL_ARGS, ealArgs, "--eal-args");
        }
        return context.conclude();
    }

    @Test
    void ealArgumentsAreSplitLikeAShellAndGetTheProcessDefaults() {
        final DpdkSource.Options options = DpdkSourceProvider.options("net_null0",
            context("--no-huge -m 512 --vdev 'net_pcap1,rx_pcap=/a b.pcap'"));
        assertThat(options.ealArguments()).startsWith("--no-huge", "-m", "512", "--vdev", "net_pcap1,rx_pcap=/a b.pcap")
            .contains("--file-prefix", "-l");
        assertThat(options.ealArguments()).containsSequence("--file-prefix", io.trawl.bindings.dpdk.Eal.processFilePrefix());
        assertThat(DpdkSourceProvider.options("0000:03:00.0", context("--no-huge")).ealArguments())
            .as("only the PCI device asked for is probed").containsSequence("-a", "0000:03:00.0");
        assertThat(DpdkSourceProvider.options("net_null0", context("-l 1 --no-huge")).ealArguments())
            .containsOnlyOnce("-l");
        final TrawlContext fromYamlList = new TrawlContext()
            .setRaw(TrawlSettings.DPDK_EAL_ARGS, List.of("--no-huge", "-m 512", "--vdev=net_null1"), "config").conclude();
        assertThat(fromYamlList.get(TrawlSettings.DPDK_EAL_ARGS)).containsExactly("--no-huge", "-m", "512", "--vdev=net_null1");
    }

    @Test
    void badConfigurationNamesTheKey() {
        assertThatThrownBy(() -> DpdkSourceProvider.options("net_null0", context("--file-prefix mine")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("dpdk.eal_args").hasMessageContaining("--file-prefix");
        assertThatThrownBy(() -> DpdkSourceProvider.options("0000:03:00.0", context("--no-pci")))
            .isInstanceOf(ConfigException.class).hasMessageContaining("dpdk.eal_args").hasMessageContaining("--no-pci");
        assertThatThrownBy(() -> DpdkSourceProvider.options("", context(null)))
            .isInstanceOf(ConfigException.class).hasMessageContaining("source");
        assertThatThrownBy(() -> context("--vdev 'unbalanced"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("dpdk.eal_args").hasMessageContaining("quote");
        final TrawlContext smallPool = new TrawlContext().setRaw(TrawlSettings.DPDK_MBUFS, "300", "config")
            .setRaw(TrawlSettings.DPDK_MBUF_CACHE, "256", "config").conclude();
        assertThatThrownBy(() -> DpdkSourceProvider.options("net_null0", smallPool))
            .isInstanceOf(ConfigException.class).hasMessageContaining("dpdk.mbuf_cache");
        final TrawlContext realtime = new TrawlContext().setRaw(TrawlSettings.SPEED, "realtime", "--speed").conclude();
        assertThatThrownBy(() -> DpdkSourceProvider.options("net_null0", realtime))
            .isInstanceOf(ConfigException.class).hasMessageContaining("speed");
        assertThat(List.of(new DpdkSourceProvider().scheme())).containsExactly("dpdk");
    }
}
