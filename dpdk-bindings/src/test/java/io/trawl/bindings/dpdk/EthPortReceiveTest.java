package io.trawl.bindings.dpdk;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bindings against real DPDK virtual devices ({@code net_pcap}, {@code net_null}) in this JVM's EAL
 * ({@code --no-huge --no-pci}): the receive path, the RX callback slot, mbuf freeing, allocation per burst,
 * and the control path's errors.
 */
class EthPortReceiveTest {
    private static final int BURST = 32;

    @BeforeAll
    static void eal() {
        DpdkTestSupport.requireEal();
    }

    /** A started single-queue port with its pool; closes both. */
    private record StartedPort(EthPort port, PacketMempool pool) implements AutoCloseable {
        static StartedPort open(final String deviceArguments, final String poolName, final int mbufs) {
            final EthPort port = EthPort.open(deviceArguments);
            final PacketMempool pool = PacketMempool.create(poolName, mbufs, 32, Dpdk.abi().defaultMbufBufferSize(), -1);
            port.configure(1, null);
            port.setupRxQueue(0, port.adjustRxDescriptors(256), pool);
            port.start();
            return new StartedPort(port, pool);
        }

        @Override
        public void close() {
            port.close();
            pool.close();
        }
    }

    @Test
    void receivesEveryPacketOfACaptureWithItsTimestampAndReturnsEveryMbuf() throws Exception {
        final Path capture = DpdkTestSupport.sixteenMinutes();
        final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(capture)).order(ByteOrder.LITTLE_ENDIAN);
        final long firstMicros = (file.getInt(24) & 0xFFFFFFFFL) * 1_000_000L + (file.getInt(28) & 0xFFFFFFFFL);
        final int firstLength = file.getInt(32);
        Eal.registerCurrentThread();
        try (StartedPort started = StartedPort.open("net_pcap0,rx_pcap=" + capture, "test_pcap", 1023)) {
            assertThat(started.port().info().driverName()).isEqualTo("net_pcap");
            assertThat(started.port().link().up()).isTrue();
            final MbufDynamicFields.RxTimestamp timestamps = MbufDynamicFields.rxTimestamp();
            assertThat(timestamps).as("net_pcap registers the RX timestamp dynamic field").isNotNull();
            final EthRxQueue queue = started.port().rxQueue(0, BURST);
            long packets = 0;
            long bytes = 0;
            long previous = 0;
            int empty = 0;
            while (empty < 2) {
                final int received = queue.receive(BURST);
                if (received == 0) {
                    empty++;
                    continue;
                }
                for (int i = 0; i < received; i++) {
                    final long mbuf = queue.mbuf(i);
                    final long micros = timestamps.of(mbuf);
                    if (packets == 0) {
                        assertThat(micros).as("pcap_pkthdr.ts of the first record, in µs").isEqualTo(firstMicros);
                        assertThat(Mbuf.packetLength(mbuf)).isEqualTo(firstLength);
                        assertThat(MemorySegment.ofAddress(Mbuf.dataAddress(mbuf)).reinterpret(firstLength)
                            .toArray(ValueLayout.JAVA_BYTE))
                            .isEqualTo(java.util.Arrays.copyOfRange(file.array(), 40, 40 + firstLength));
                    }
                    assertThat(micros).isGreaterThanOrEqualTo(previous);
                    previous = micros;
                    assertThat(Mbuf.segmentCount(mbuf)).isEqualTo(1);
                    assertThat(Mbuf.dataLength(mbuf)).isEqualTo(Mbuf.packetLength(mbuf));
                    assertThat(Mbuf.packetLengthOf(Mbuf.lengths(mbuf))).isEqualTo(Mbuf.packetLength(mbuf));
                    assertThat(Mbuf.dataLengthOf(Mbuf.lengths(mbuf))).isEqualTo(Mbuf.dataLength(mbuf));
                    assertThat(Mbuf.port(mbuf)).isEqualTo(started.port().id());
                    packets++;
                    bytes += Mbuf.packetLength(mbuf);
                }
                queue.free(received);
            }
            assertThat(packets).isEqualTo(7000);
            final EthStats stats = started.port().stats();
            assertThat(stats.inPackets()).isEqualTo(packets);
            assertThat(stats.inBytes()).isEqualTo(bytes);
            assertThat(stats.inMissed() + stats.inErrors() + stats.rxNoMbuf()).isZero();
            assertThat(started.pool().available()).as("every mbuf is back in the pool").isEqualTo(1023);
        }
    }

    @Test
    void burstsFillTheArrayFromAnIndexSoSeveralBurstsCanBeHeldAndFreedTogether() {
        Eal.registerCurrentThread();
        try (StartedPort started = StartedPort.open("net_pcap0,rx_pcap=" + DpdkTestSupport.sixteenMinutes(), "test_hold", 1023)) {
            final EthRxQueue queue = started.port().rxQueue(0, 3 * BURST);
            final int first = queue.receive(0, BURST);
            final int second = queue.receive(first, BURST);
            assertThat(first).isEqualTo(BURST);
            assertThat(second).isEqualTo(BURST);
            final java.util.Set<Long> mbufs = new java.util.HashSet<>();
            for (int i = 0; i < first + second; i++) {
                mbufs.add(queue.mbuf(i));
            }
            assertThat(mbufs).as("the second burst left the first one's mbufs in place").hasSize(first + second);
            assertThat(queue.receive(first + second, 10 * BURST)).as("clamped to the array's room").isEqualTo(BURST);
            assertThat(queue.receive(3 * BURST, BURST)).as("no room left").isZero();
            assertThatThrownBy(() -> queue.receive(3 * BURST + 1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            queue.free(3 * BURST);
            assertThat(started.pool().available()).as("every held mbuf is back").isEqualTo(1023);
        }
    }

    // ---- RX callbacks: a C-callable Java method that keeps the first packet of each burst ----

    private static final AtomicLong CALLBACK_CALLS = new AtomicLong();

    @SuppressWarnings("unused") // called by DPDK through an upcall stub
    private static short keepFirstPacket(final short port, final short queue, final MemorySegment packets,
                                         final short count, final short max, final MemorySegment userParameter) {
        CALLBACK_CALLS.incrementAndGet();
        if (count <= 1) {
            return count;
        }
        try {
            Dpdk.RTE_PKTMBUF_FREE_BULK.invokeExact(packets.address() + Long.BYTES, count - 1);
        } catch (final Throwable t) {
            throw new AssertionError(t);
        }
        return 1;
    }

    @Test
    void honoursTheRxCallbackSlot() throws Exception {
        Eal.registerCurrentThread();
        try (StartedPort started = StartedPort.open("net_null0", "test_cb", 1023);
             Arena arena = Arena.ofConfined()) {
            final EthRxQueue queue = started.port().rxQueue(0, BURST);
            assertThat(receiveAndFree(queue)).as("net_null fills every burst").isEqualTo(BURST);
            final MemorySegment stub = Linker.nativeLinker().upcallStub(
                MethodHandles.lookup().findStatic(EthPortReceiveTest.class, "keepFirstPacket",
                    MethodType.methodType(short.class, short.class, short.class, MemorySegment.class, short.class,
                        short.class, MemorySegment.class)),
                FunctionDescriptor.of(ValueLayout.JAVA_SHORT, ValueLayout.JAVA_SHORT, ValueLayout.JAVA_SHORT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_SHORT, ValueLayout.JAVA_SHORT, ValueLayout.ADDRESS), arena);
            final MemorySegment callback = started.port().addRxCallback(0, stub, MemorySegment.NULL);
            final long before = CALLBACK_CALLS.get();
            for (int i = 0; i < 10; i++) {
                assertThat(receiveAndFree(queue)).as("the callback cut the burst to one packet").isEqualTo(1);
            }
            assertThat(CALLBACK_CALLS.get() - before).isEqualTo(10);
            started.port().removeRxCallback(0, callback);
            assertThat(receiveAndFree(queue)).isEqualTo(BURST);
            assertThat(started.pool().available()).isEqualTo(1023);
        }
    }

    private static int receiveAndFree(final EthRxQueue queue) {
        final int received = queue.receive(BURST);
        queue.free(received);
        return received;
    }

    @Test
    void aBurstAllocatesNothingOnTheHeap() {
        Eal.registerCurrentThread();
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (StartedPort started = StartedPort.open("net_null1", "test_alloc", 1023)) {
            final EthRxQueue queue = started.port().rxQueue(0, BURST);
            long sink = 0;
            for (int i = 0; i < 300_000; i++) {
                sink += burstAndTouch(queue);
            }
            final long before = threads.getCurrentThreadAllocatedBytes();
            final int bursts = 200_000;
            for (int i = 0; i < bursts; i++) {
                sink += burstAndTouch(queue);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(sink).isEqualTo(500_000L * BURST * 64);
            assertThat(allocated).as("heap bytes over " + bursts + " bursts (receive, read every mbuf, free)")
                .isLessThan(bursts / 10);
        }
    }

    private static long burstAndTouch(final EthRxQueue queue) {
        final int received = queue.receive(BURST);
        long bytes = 0;
        for (int i = 0; i < received; i++) {
            final long mbuf = queue.mbuf(i);
            bytes += Mbuf.packetLength(mbuf) + (Mbuf.dataAddress(mbuf) == 0 ? 1 : 0);
        }
        queue.free(received);
        return bytes;
    }

    @Test
    void spreadsFlowsWithASymmetricRssKeyOverSeveralQueues() {
        final EthPort port = EthPort.open("net_null2");
        try (PacketMempool pool0 = PacketMempool.create("test_rss0", 511, 0, Dpdk.abi().defaultMbufBufferSize(), -1);
             PacketMempool pool1 = PacketMempool.create("test_rss1", 511, 0, Dpdk.abi().defaultMbufBufferSize(), -1)) {
            final EthDeviceInfo info = port.info();
            assertThat(info.supportsRss()).isTrue();
            final RssConfiguration rss = RssConfiguration.symmetric(info.hashKeySize(),
                RssConfiguration.ipTcpUdp() & info.flowTypeRssOffloads());
            port.configure(2, rss);
            port.setupRxQueue(0, 128, pool0);
            port.setupRxQueue(1, 128, pool1);
            port.start();
            port.updateRss(rss);
            assertThat(port.rssConfiguration().key()).as("the key in effect").isEqualTo(rss.key());
            assertThat(rss.key()[0]).isEqualTo((byte) 0x6d);
            assertThat(rss.key()[1]).isEqualTo((byte) 0x5a);
        } finally {
            port.close();
        }
    }

    @Test
    void aDeviceCanBeAttachedAgainAfterCloseButNotTwiceAtOnce() {
        final EthPort first = EthPort.open("net_null3");
        assertThatThrownBy(() -> EthPort.open("net_null3,size=128"))
            .isInstanceOf(DpdkException.class).hasMessageContaining("net_null3").hasMessageContaining("already open");
        first.close();
        first.close();
        final EthPort again = EthPort.open("net_null3");
        assertThat(again.info().driverName()).isEqualTo("net_null");
        again.close();
    }

    @Test
    void failuresNameTheDeviceAndTheReason() {
        assertThatThrownBy(() -> EthPort.open("net_nosuchdriver0"))
            .isInstanceOf(DpdkException.class).hasMessageContaining("cannot attach DPDK device 'net_nosuchdriver0'");
        assertThatThrownBy(() -> EthPort.open("net_pcap9,rx_pcap=/nonexistent/x.pcap"))
            .isInstanceOf(DpdkException.class).hasMessageContaining("net_pcap9");
        try (PacketMempool pool = PacketMempool.create("test_dup", 63, 0, 2176, -1)) {
            assertThatThrownBy(() -> PacketMempool.create("test_dup", 63, 0, 2176, -1))
                .isInstanceOf(DpdkException.class)
                .hasMessageContaining("test_dup")
                .satisfies(e -> assertThat(((DpdkException) e).errno()).as("rte_errno read from TLS: EEXIST").isEqualTo(17));
            assertThat(pool.size()).isEqualTo(63);
        }
        assertThatThrownBy(() -> Eal.initialize(List.of("--no-huge", "-m", "64")))
            .isInstanceOf(DpdkException.class).hasMessageContaining("already initialized");
    }
}
