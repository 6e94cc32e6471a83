package io.trawl.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One DPDK ethernet port, the control path: attach ({@code rte_dev_probe}), info, configure, RX queue
 * setup, start, promiscuous mode, link, statistics, stop, close and detach.
 *
 * <p>Devices are named by DPDK device arguments: a virtual device ({@code net_pcap0,rx_pcap=FILE},
 * {@code net_null0}, {@code net_ring0}, {@code net_af_packet0,iface=eth0}) or a PCI address
 * ({@code 0000:01:00.0}). {@link #open(String)} uses the port if EAL already probed it (a PCI device
 * allowed with {@code -a}, a {@code --vdev}), else hot-plugs it, and {@link #close()} then unplugs it.
 *
 * <p>Thread safety: control calls from one thread at a time (DPDK's rule for ethdev control functions);
 * {@link #stats()} and {@link #link()} may run while other threads poll the queues.
 */
public final class EthPort implements AutoCloseable {
    /** Ports open in this process (guarded by itself): a port has one owner. */
    private static final Set<Integer> OPEN_PORTS = new HashSet<>();
    private static final Pattern PCI_ADDRESS = Pattern.compile("([0-9a-fA-F]{4,}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]");

    private final int id;
    private final String name;
    private final String busName;
    private final boolean hotplugged;
    /** Memory the port's configuration points into (the RSS key): drivers read it at start. */
    private final Arena configurationMemory = Arena.ofShared();
    private boolean started;
    private boolean closed;

    private EthPort(final int id, final String name, final String busName, final boolean hotplugged) {
        this.id = id;
        this.name = name;
        this.busName = busName;
        this.hotplugged = hotplugged;
    }

    /** The device name of device arguments: everything before the first comma. */
    public static String deviceName(final String deviceArguments) {
        final int comma = deviceArguments.indexOf(',');
        return (comma < 0 ? deviceArguments : deviceArguments.substring(0, comma)).trim();
    }

    /** True when device arguments name a PCI device rather than a virtual one. */
    public static boolean isPciAddress(final String deviceArguments) {
        return PCI_ADDRESS.matcher(deviceName(deviceArguments)).matches();
    }

    /**
     * The port of a device: the one EAL already probed under that name, or the device hot-plugged now.
     *
     * @throws DpdkException when EAL is not initialized, the device is already open in this process, it
     *                       cannot be probed (unknown driver, missing file, bad arguments: DPDK prints the
     *                       detail) or it has no ethdev port
     */
    public static EthPort open(final String deviceArguments) {
        if (!Eal.isInitialized()) {
            throw new DpdkException("DPDK EAL is not initialized; cannot open device " + deviceArguments, 0);
        }
        synchronized (OPEN_PORTS) {
            final EthPort port = attach(deviceArguments);
            if (!OPEN_PORTS.add(port.id)) {
                throw new DpdkException("DPDK device " + port.name + " (port " + port.id + ") is already open in "
                    + "this process", 16);
            }
            return port;
        }
    }

    private static EthPort attach(final String deviceArguments) {
        final String name = deviceName(deviceArguments);
        final String bus = isPciAddress(deviceArguments) ? "pci" : "vdev";
        int port = portByName(name);
        boolean hotplugged = false;
        if (port < 0) {
            final int rc;
            try (Arena arena = Arena.ofConfined()) {
                rc = (int) Dpdk.RTE_DEV_PROBE.invokeExact(arena.allocateFrom(deviceArguments));
            } catch (final Throwable t) {
                throw Dpdk.rethrow(t);
            }
            if (rc != 0) {
                throw new DpdkException("cannot attach DPDK device '" + deviceArguments + "': " + Dpdk.strerror(rc)
                    + " (errno " + Math.abs(rc) + "); DPDK printed the detail above"
                    + (rc == -17 ? " (the device is already attached in this process)" : ""), Math.abs(rc));
            }
            hotplugged = true;
            port = portByName(name);
            if (port < 0) {
                detach(bus, name);
                throw new DpdkException("DPDK device '" + name + "' attached but offers no ethernet port", 19);
            }
        }
        return new EthPort(port, name, bus, hotplugged);
    }

    private static int portByName(final String name) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment port = arena.allocate(JAVA_SHORT);
            final int rc = (int) Dpdk.RTE_ETH_DEV_GET_PORT_BY_NAME.invokeExact(arena.allocateFrom(name), port);
            return rc == 0 ? port.get(JAVA_SHORT, 0) & 0xFFFF : -1;
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    private static void detach(final String bus, final String name) {
        try (Arena arena = Arena.ofConfined()) {
            final int rc = (int) Dpdk.RTE_EAL_HOTPLUG_REMOVE.invokeExact(arena.allocateFrom(bus), arena.allocateFrom(name));
            if (rc != 0) {
                throw DpdkException.fromReturnCode("cannot detach DPDK device " + name, rc);
            }
        } catch (final DpdkException e) {
            throw e;
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** The port id. */
    public int id() {
        return id;
    }

    /** The device name ({@code net_pcap0}, {@code 0000:01:00.0}). */
    public String name() {
        return name;
    }

    /** The driver's description of the port. */
    public EthDeviceInfo info() {
        final DpdkAbi abi = Dpdk.abi();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment info = arena.allocate(abi.devInfoSize, 8);
            final int rc = (int) Dpdk.RTE_ETH_DEV_INFO_GET.invokeExact((short) id, info);
            if (rc != 0) {
                throw DpdkException.fromReturnCode("rte_eth_dev_info_get(port " + id + ")", rc);
            }
            final MemorySegment driver = info.get(Dpdk.C_STRING, abi.devInfoDriverName);
            return new EthDeviceInfo(driver.equals(MemorySegment.NULL) ? "?" : driver.getString(0),
                info.get(Dpdk.U16, abi.devInfoMaxRxQueues) & 0xFFFF,
                info.get(Dpdk.U32, abi.devInfoMaxRxPacketLength) & 0xFFFF_FFFFL,
                info.get(Dpdk.U64, abi.devInfoRxOffloadCapabilities),
                info.get(Dpdk.U64, abi.devInfoFlowTypeRssOffloads),
                info.get(Dpdk.U16, abi.devInfoRetaSize) & 0xFFFF,
                info.get(JAVA_BYTE, abi.devInfoHashKeySize) & 0xFF);
        } catch (final DpdkException e) {
            throw e;
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** The NUMA socket of the port, or -1 when unknown. */
    public int socketId() {
        try {
            return (int) Dpdk.RTE_ETH_DEV_SOCKET_ID.invokeExact((short) id);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /**
     * Configures the port for {@code rxQueues} RX queues and no TX queue.
     *
     * @param rss how to spread flows over the queues, or null for none (one queue)
     */
    public void configure(final int rxQueues, final RssConfiguration rss) {
        final DpdkAbi abi = Dpdk.abi();
        final MemorySegment conf = configurationMemory.allocate(abi.confSize, 8);
        if (rss != null) {
            final byte[] key = rss.key();
            final MemorySegment keyMemory = configurationMemory.allocate(key.length);
            keyMemory.copyFrom(MemorySegment.ofArray(key));
            conf.set(Dpdk.U32, abi.confRxMqMode, (int) abi.mqModeRss);
            conf.set(ADDRESS, abi.confRssKey, keyMemory);
            conf.set(JAVA_BYTE, abi.confRssKeyLength, (byte) key.length);
            conf.set(Dpdk.U64, abi.confRssHashFunctions, rss.hashFunctions());
        }
        final int rc;
        try {
            rc = (int) Dpdk.RTE_ETH_DEV_CONFIGURE.invokeExact((short) id, (short) rxQueues, (short) 0, conf);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
        if (rc != 0) {
            throw DpdkException.fromReturnCode("cannot configure DPDK port " + id + " (" + name + ") with " + rxQueues
                + " RX queue(s)" + (rss != null ? " and RSS" : ""), rc);
        }
    }

    /** The RX ring size closest to {@code wanted} that the driver accepts ({@code rte_eth_dev_adjust_nb_rx_tx_desc}). */
    public int adjustRxDescriptors(final int wanted) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment rx = arena.allocate(JAVA_SHORT);
            final MemorySegment tx = arena.allocate(JAVA_SHORT);
            rx.set(JAVA_SHORT, 0, (short) wanted);
            final int rc = (int) Dpdk.RTE_ETH_DEV_ADJUST_NB_RX_TX_DESC.invokeExact((short) id, rx, tx);
            if (rc != 0) {
                throw DpdkException.fromReturnCode("rte_eth_dev_adjust_nb_rx_tx_desc(port " + id + ")", rc);
            }
            return rx.get(JAVA_SHORT, 0) & 0xFFFF;
        } catch (final DpdkException e) {
            throw e;
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** Sets up RX queue {@code queue} with {@code descriptors} ring entries, filled from {@code pool}. */
    public void setupRxQueue(final int queue, final int descriptors, final PacketMempool pool) {
        final int socket = socketId();
        final int rc;
        try {
            rc = (int) Dpdk.RTE_ETH_RX_QUEUE_SETUP.invokeExact((short) id, (short) queue, (short) descriptors,
                socket < 0 ? -1 : socket, MemorySegment.NULL, pool.pointer());
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
        if (rc != 0) {
            throw DpdkException.fromReturnCode("cannot set up RX queue " + queue + " of DPDK port " + id + " ("
                + name + ") with " + descriptors + " descriptors", rc);
        }
    }

    /** Starts the port: its queues begin to receive. */
    public void start() {
        final int rc;
        try {
            rc = (int) Dpdk.RTE_ETH_DEV_START.invokeExact((short) id);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
        if (rc != 0) {
            throw DpdkException.fromReturnCode("cannot start DPDK port " + id + " (" + name + ")", rc);
        }
        started = true;
    }

    /** Stops the port. No thread may be polling its queues. Idempotent. */
    public void stop() {
        if (!started) {
            return;
        }
        started = false;
        final int rc;
        try {
            rc = (int) Dpdk.RTE_ETH_DEV_STOP.invokeExact((short) id);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
        if (rc != 0) {
            throw DpdkException.fromReturnCode("cannot stop DPDK port " + id + " (" + name + ")", rc);
        }
    }

    /** Turns promiscuous mode on; false when the driver does not support it. */
    public boolean enablePromiscuous() {
        final int rc;
        try {
            rc = (int) Dpdk.RTE_ETH_PROMISCUOUS_ENABLE.invokeExact((short) id);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
        if (rc == -95) { // ENOTSUP
            return false;
        }
        if (rc != 0) {
            throw DpdkException.fromReturnCode("cannot enable promiscuous mode on DPDK port " + id, rc);
        }
        return true;
    }

    /** The link, without waiting for negotiation. */
    public LinkStatus link() {
        final DpdkAbi abi = Dpdk.abi();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment link = arena.allocate(abi.linkSize, 8);
            final int rc = (int) Dpdk.RTE_ETH_LINK_GET_NOWAIT.invokeExact((short) id, link);
            if (rc != 0) {
                throw DpdkException.fromReturnCode("rte_eth_link_get_nowait(port " + id + ")", rc);
            }
            final boolean up = (link.get(Dpdk.U16, abi.linkFlagsOffset) & abi.linkStatusMask) != 0;
            return new LinkStatus(up, link.get(Dpdk.U32, abi.linkSpeed) & 0xFFFF_FFFFL);
        } catch (final DpdkException e) {
            throw e;
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** Receive statistics; {@link EthStats#ZERO} after {@link #close()}. */
    public EthStats stats() {
        if (closed) {
            return EthStats.ZERO;
        }
        final DpdkAbi abi = Dpdk.abi();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment stats = arena.allocate(abi.statsSize, 8);
            final int rc = (int) Dpdk.RTE_ETH_STATS_GET.invokeExact((short) id, stats);
            if (rc != 0) {
                throw DpdkException.fromReturnCode("rte_eth_stats_get(port " + id + ")", rc);
            }
            return new EthStats(stats.get(Dpdk.U64, abi.statsInPackets), stats.get(Dpdk.U64, abi.statsInBytes),
                stats.get(Dpdk.U64, abi.statsInMissed), stats.get(Dpdk.U64, abi.statsInErrors),
                stats.get(Dpdk.U64, abi.statsRxNoMbuf));
        } catch (final DpdkException e) {
            throw e;
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** Zeroes the statistics. */
    public void resetStats() {
        final int rc;
        try {
            rc = (int) Dpdk.RTE_ETH_STATS_RESET.invokeExact((short) id);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
        if (rc != 0) {
            throw DpdkException.fromReturnCode("rte_eth_stats_reset(port " + id + ")", rc);
        }
    }

    /**
     * Sets the RSS key and hash functions of a configured port ({@code rte_eth_dev_rss_hash_update}).
     * Drivers take the key of {@link #configure} at start, but some (the null PMD among them) only this way.
     *
     * @return false when the driver does not support updating the hash (the configured key stays)
     */
    public boolean updateRss(final RssConfiguration rss) {
        final DpdkAbi abi = Dpdk.abi();
        try (Arena arena = Arena.ofConfined()) {
            final byte[] key = rss.key();
            final MemorySegment conf = arena.allocate(abi.rssConfSize, 8);
            conf.set(ADDRESS, 0, arena.allocateFrom(JAVA_BYTE, key));
            conf.set(JAVA_BYTE, abi.rssConfKeyLength, (byte) key.length);
            conf.set(Dpdk.U64, abi.rssConfHashFunctions, rss.hashFunctions());
            final int rc = (int) Dpdk.RTE_ETH_DEV_RSS_HASH_UPDATE.invokeExact((short) id, conf);
            if (rc == -95) { // ENOTSUP
                return false;
            }
            if (rc != 0) {
                throw DpdkException.fromReturnCode("cannot set the RSS key of DPDK port " + id + " (" + name + ")", rc);
            }
            return true;
        } catch (final DpdkException e) {
            throw e;
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** The RSS key (of the driver's key size) and hash functions in effect ({@code rte_eth_dev_rss_hash_conf_get}). */
    public RssConfiguration rssConfiguration() {
        final DpdkAbi abi = Dpdk.abi();
        final int keySize = info().hashKeySize() == 0 ? RssConfiguration.DEFAULT_KEY_LENGTH : info().hashKeySize();
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment conf = arena.allocate(abi.rssConfSize, 8);
            final MemorySegment key = arena.allocate(256);
            conf.set(ADDRESS, 0, key);
            conf.set(JAVA_BYTE, abi.rssConfKeyLength, (byte) keySize);
            final int rc = (int) Dpdk.RTE_ETH_DEV_RSS_HASH_CONF_GET.invokeExact((short) id, conf);
            if (rc != 0) {
                throw DpdkException.fromReturnCode("rte_eth_dev_rss_hash_conf_get(port " + id + ")", rc);
            }
            // Some drivers copy the key without setting its length: trust the driver's key size.
            final int length = Math.min(conf.get(JAVA_BYTE, abi.rssConfKeyLength) & 0xFF, keySize);
            return new RssConfiguration(key.asSlice(0, length).toArray(JAVA_BYTE),
                conf.get(Dpdk.U64, abi.rssConfHashFunctions));
        } catch (final DpdkException e) {
            throw e;
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** The receive path of RX queue {@code queue}, taking up to {@code burstCapacity} packets per burst. */
    public EthRxQueue rxQueue(final int queue, final int burstCapacity) {
        return new EthRxQueue(id, queue, burstCapacity);
    }

    /**
     * Installs an RX callback ({@code rte_eth_add_rx_callback}): {@code function} runs after every burst
     * of the queue and may change the packets and their count.
     *
     * @param function an {@code rte_rx_callback_fn}: {@code uint16_t fn(uint16_t port, uint16_t queue,
     *                 struct rte_mbuf **pkts, uint16_t nb_pkts, uint16_t max_pkts, void *user_param)}
     * @return the callback handle for {@link #removeRxCallback(int, MemorySegment)}
     */
    public MemorySegment addRxCallback(final int queue, final MemorySegment function, final MemorySegment userParameter) {
        try {
            final MemorySegment callback = (MemorySegment) Dpdk.RTE_ETH_ADD_RX_CALLBACK.invokeExact((short) id,
                (short) queue, function, userParameter);
            if (callback.equals(MemorySegment.NULL)) {
                final int errno = Dpdk.rteErrno();
                throw new DpdkException("rte_eth_add_rx_callback(port " + id + ", queue " + queue + "): "
                    + Dpdk.strerror(errno), errno);
            }
            return callback;
        } catch (final DpdkException e) {
            throw e;
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** Removes an RX callback. DPDK does not free its memory (a poller may still be running it). */
    public void removeRxCallback(final int queue, final MemorySegment callback) {
        final int rc;
        try {
            rc = (int) Dpdk.RTE_ETH_REMOVE_RX_CALLBACK.invokeExact((short) id, (short) queue, callback);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
        if (rc != 0) {
            throw DpdkException.fromReturnCode("rte_eth_remove_rx_callback(port " + id + ", queue " + queue + ")", rc);
        }
    }

    /**
     * Stops the port if started, closes it ({@code rte_eth_dev_close}) and, when {@link #open(String)}
     * hot-plugged it, detaches the device. Pools used by its queues may be freed afterwards. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            closed = true;
            final int rc;
            try {
                rc = (int) Dpdk.RTE_ETH_DEV_CLOSE.invokeExact((short) id);
            } catch (final Throwable t) {
                throw Dpdk.rethrow(t);
            }
            if (hotplugged) {
                detach(busName, name);
            }
            configurationMemory.close();
            synchronized (OPEN_PORTS) {
                OPEN_PORTS.remove(id);
            }
            if (rc != 0) {
                throw DpdkException.fromReturnCode("cannot close DPDK port " + id + " (" + name + ")", rc);
            }
        }
    }

    @Override
    public String toString() {
        return "DPDK port " + id + " (" + name + ")";
    }
}
