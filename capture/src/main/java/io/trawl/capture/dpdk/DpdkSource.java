package io.trawl.capture.dpdk;

import io.trawl.bindings.dpdk.Dpdk;
import io.trawl.bindings.dpdk.DpdkException;
import io.trawl.bindings.dpdk.Eal;
import io.trawl.bindings.dpdk.EthDeviceInfo;
import io.trawl.bindings.dpdk.EthPort;
import io.trawl.bindings.dpdk.EthStats;
import io.trawl.bindings.dpdk.LinkStatus;
import io.trawl.bindings.dpdk.MbufDynamicFields;
import io.trawl.bindings.dpdk.PacketMempool;
import io.trawl.bindings.dpdk.RssConfiguration;
import io.trawl.capture.CaptureException;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.ReceiveQueue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A DPDK port as a capture source: {@code dpdk:DEVARGS}, a virtual device ({@code net_pcap0,rx_pcap=FILE},
 * {@code net_null0}, {@code net_ring0}, {@code net_af_packet0,iface=X}) or a PCI address.
 *
 * <p>Queues: one RX queue per pipeline when the device supports RSS, configured with a symmetric Toeplitz
 * key so that both directions of a flow reach the same queue, hence the same pipeline; otherwise one
 * queue, and the run's dispatcher spreads flows by its software hash (copying each packet, since mbuf
 * memory does not outlive a poll). Each queue is polled by one thread, registered with EAL on its first
 * poll; packet bytes are read in place from the mbufs, which go back to their pool at the queue's next poll
 * (at most {@value #HELD_MBUFS_PER_POLL} per poll, and at most an eighth of the pool).
 *
 * <p>Packet time: the pcap PMD stores each record's capture time (µs since the epoch) in the mbuf's RX
 * timestamp field, and that is used, so a replay through DPDK has the same packet clock as a
 * {@code pcap:} replay. Other devices stamp in their own clock units, so their packets get the wall
 * clock, read once per burst.
 *
 * <p>End: a pcap PMD replaying a file ({@code rx_pcap=} without {@code infinite_rx=1}) is finite: it
 * has ended when its burst comes back empty twice in a row ({@code pcap_next_ex} reached the end of the
 * file). Every other device is live and runs until stopped. The packet limit is exact: queues take
 * packets from a shared budget.
 *
 * <p>Losses: the device's {@code imissed}, {@code rx_nombuf} and {@code ierrors} are the source's
 * {@link #drops()}.
 *
 * <p>Lifecycle: {@link #open} initializes EAL for the process if needed (once per process; cleaned up
 * at JVM exit, which deletes its runtime directory), attaches and starts the port; {@link #close()} stops
 * and closes it and frees its pools. Threading as {@link CaptureSource}: one thread per queue; the
 * getters from any thread.
 */
public final class DpdkSource implements CaptureSource {
    private static final AtomicInteger POOL_SEQUENCE = new AtomicInteger();

    /**
     * What to open.
     *
     * @param deviceArguments DPDK device arguments, e.g. {@code net_pcap0,rx_pcap=/x.pcap}
     * @param ealArguments    complete EAL arguments (see {@link Eal#withProcessDefaults})
     * @param queuesWanted    RX queues wanted (the number of pipelines)
     * @param mbufs           mbufs per queue pool
     * @param mbufCache       per-lcore cache of each pool
     * @param rxDescriptors   RX ring entries per queue
     * @param burst           packets per receive burst
     * @param rss             use RSS when the device supports it
     * @param promiscuous     enable promiscuous mode
     * @param packetLimit     stop after this many packets in total ({@code Long.MAX_VALUE}: no limit)
     */
    public record Options(String deviceArguments, List<String> ealArguments, int queuesWanted, int mbufs, int mbufCache,
                          int rxDescriptors, int burst, boolean rss, boolean promiscuous, long packetLimit) {
        public Options {
            ealArguments = List.copyOf(ealArguments);
        }
    }

    private final Options options;
    private final EthPort port;
    private final List<PacketMempool> pools;
    private final DpdkReceiveQueue[] queues;
    private final boolean finite;
    private final String description;
    private EthStats finalStats;
    /** Most mbufs one poll of a queue holds until the next poll. */
    static final int HELD_MBUFS_PER_POLL = 256;

    private boolean closed;

    private DpdkSource(final Options options, final EthPort port, final List<PacketMempool> pools,
                       final DpdkReceiveQueue[] queues, final boolean finite, final String description) {
        this.options = options;
        this.port = port;
        this.pools = pools;
        this.queues = queues;
        this.finite = finite;
        this.description = description;
    }

    /**
     * Initializes EAL if this process has not yet, attaches, configures and starts the port.
     *
     * @throws CaptureException naming the device when DPDK is unavailable (the message names the Debian
     *                          packages), EAL refuses its arguments, or the device cannot be opened
     */
    public static DpdkSource open(final Options options) {
        final String spec = "dpdk:" + options.deviceArguments();
        if (!Dpdk.isAvailable()) {
            throw new CaptureException(spec + ": DPDK is unavailable: " + Dpdk.unavailabilityCause().getMessage());
        }
        EthPort port = null;
        final List<PacketMempool> pools = new ArrayList<>();
        try {
            Eal.initialize(options.ealArguments());
            port = EthPort.open(options.deviceArguments());
            final EthDeviceInfo info = port.info();
            final boolean useRss = options.rss() && options.queuesWanted() > 1 && info.supportsRss();
            final int queueCount = useRss ? Math.min(options.queuesWanted(), info.maxRxQueues()) : 1;
            final RssConfiguration rss = useRss ? RssConfiguration.symmetric(info.hashKeySize(),
                RssConfiguration.ipTcpUdp() & info.flowTypeRssOffloads()) : null;
            port.configure(queueCount, rss);
            final int descriptors = port.adjustRxDescriptors(options.rxDescriptors());
            final int socket = port.socketId();
            final int sequence = POOL_SEQUENCE.getAndIncrement();
            for (int q = 0; q < queueCount; q++) {
                final PacketMempool pool = PacketMempool.create("trawl" + sequence + "_q" + q, options.mbufs(),
                    options.mbufCache(), Dpdk.abi().defaultMbufBufferSize(), socket);
                pools.add(pool);
                port.setupRxQueue(q, descriptors, pool);
            }
            final boolean promiscuous = options.promiscuous() && port.enablePromiscuous();
            port.start();
            if (rss != null) {
                port.updateRss(rss);
            }
            // The pcap PMD stamps what it reads with the record's time, except when it loops a file from
            // memory (infinite_rx): then the packets are a synthetic load and get the wall clock.
            final boolean captureTime = "net_pcap".equals(info.driverName()) && !isInfiniteReplay(options.deviceArguments());
            final MbufDynamicFields.RxTimestamp timestamps = captureTime ? MbufDynamicFields.rxTimestamp() : null;
            final boolean finite = isFileReplay(options.deviceArguments()) && "net_pcap".equals(info.driverName());
            final AtomicLong budget = options.packetLimit() == Long.MAX_VALUE ? null : new AtomicLong(options.packetLimit());
            final DpdkReceiveQueue[] queues = new DpdkReceiveQueue[queueCount];
            // A poll holds its mbufs until the next poll: up to HELD_MBUFS_PER_POLL of them, never more than an
            // eighth of the pool (the driver needs the rest to refill its descriptors).
            final int held = Math.max(options.burst(), Math.min(HELD_MBUFS_PER_POLL, options.mbufs() / 8));
            for (int q = 0; q < queueCount; q++) {
                queues[q] = new DpdkReceiveQueue(port.rxQueue(q, held), options.burst(), timestamps,
                    finite, budget);
            }
            final LinkStatus link = port.link();
            final String description = spec + " (port " + port.id() + ", " + info.driverName() + ", " + queueCount
                + " RX queue" + (queueCount == 1 ? "" : "s")
                + (rss != null ? " with symmetric RSS" : options.queuesWanted() > 1
                ? (info.supportsRss() ? " (RSS off)" : " (no RSS)") + ": flows spread by the dispatcher's software hash" : "")
                + ", " + link + (promiscuous ? ", promiscuous" : "")
                + ", packet time from " + (timestamps != null ? "the capture file" : "the wall clock")
                + ", " + descriptors + " descriptors, " + options.mbufs() + " mbufs per queue"
                + ", EAL prefix " + fileprefix(options.ealArguments()) + ")";
            return new DpdkSource(options, port, pools, queues, finite, description);
        } catch (final DpdkException e) {
            closeQuietly(port, pools);
            throw new CaptureException(spec + ": " + e.getMessage(), e);
        } catch (final RuntimeException e) {
            closeQuietly(port, pools);
            throw e;
        }
    }

    private static String fileprefix(final List<String> arguments) {
        for (int i = 0; i < arguments.size(); i++) {
            if (arguments.get(i).equals("--file-prefix") && i + 1 < arguments.size()) {
                return arguments.get(i + 1);
            }
            if (arguments.get(i).startsWith("--file-prefix=")) {
                return arguments.get(i).substring("--file-prefix=".length());
            }
        }
        return "rte";
    }

    /** True for a pcap PMD that reads a file once: {@code rx_pcap=} without {@code infinite_rx=1}. */
    static boolean isFileReplay(final String deviceArguments) {
        return EthPort.deviceName(deviceArguments).startsWith("net_pcap") && hasArgument(deviceArguments, "rx_pcap=")
            && !isInfiniteReplay(deviceArguments);
    }

    /** True for a pcap PMD that loops its file from memory ({@code infinite_rx=1}). */
    static boolean isInfiniteReplay(final String deviceArguments) {
        return hasArgument(deviceArguments, "infinite_rx=1");
    }

    private static boolean hasArgument(final String deviceArguments, final String prefix) {
        final String[] parts = deviceArguments.split(",");
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].trim().startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static void closeQuietly(final EthPort port, final List<PacketMempool> pools) {
        try {
            if (port != null) {
                port.close();
            }
        } catch (final RuntimeException e) {
            // the original failure is the one to report
        }
        for (final PacketMempool pool : pools) {
            try {
                pool.close();
            } catch (final RuntimeException e) {
                // idem
            }
        }
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public int queueCount() {
        return queues.length;
    }

    @Override
    public ReceiveQueue queue(final int index) {
        return queues[index];
    }

    @Override
    public boolean isFinite() {
        return finite;
    }

    /** The DPDK port id. */
    public int portId() {
        return port.id();
    }

    /** The options the source was opened with. */
    public Options options() {
        return options;
    }

    private synchronized EthStats stats() {
        return finalStats != null ? finalStats : port.stats();
    }

    /** The device's losses: {@code imissed} (RX ring full), {@code rx_nombuf} (pool empty), {@code ierrors}. */
    @Override
    public Map<String, Long> drops() {
        final EthStats stats = stats();
        final Map<String, Long> out = new LinkedHashMap<>();
        out.put("imissed", stats.inMissed());
        out.put("rx_nombuf", stats.rxNoMbuf());
        out.put("ierrors", stats.inErrors());
        return out;
    }

    @Override
    public Map<String, Long> statistics() {
        final EthStats stats = stats();
        long delivered = 0;
        long multiSegment = 0;
        for (final DpdkReceiveQueue queue : queues) {
            delivered += queue.deliveredPublished();
            multiSegment += queue.multiSegmentPacketsPublished();
        }
        final Map<String, Long> out = new LinkedHashMap<>();
        out.put("device_packets", stats.inPackets());
        out.put("device_bytes", stats.inBytes());
        out.put("packets_delivered", delivered);
        out.put("multi_segment_packets", multiSegment);
        out.put("rx_queues", (long) queues.length);
        return out;
    }

    /**
     * Stops and closes the port and frees its pools; statistics stay readable. Every polling thread must
     * have stopped. EAL stays up until JVM exit (it cannot be initialized twice in a process).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (final DpdkReceiveQueue queue : queues) {
            queue.releaseHeld();
        }
        try {
            finalStats = port.stats();
        } catch (final RuntimeException e) {
            finalStats = EthStats.ZERO;
        }
        try {
            port.close();
        } finally {
            for (final PacketMempool pool : pools) {
                pool.close();
            }
        }
    }
}
