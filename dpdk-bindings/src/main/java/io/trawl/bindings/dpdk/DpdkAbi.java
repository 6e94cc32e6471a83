package io.trawl.bindings.dpdk;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The C layout trawl relies on for one DPDK release: struct offsets, sizes and constants, each declared
 * together with the C expression that yields it, so that a test can compile those expressions against
 * the installed headers ({@code /usr/include/dpdk}) and compare (see {@link #checks()}).
 *
 * <p>Why a table per release: {@code rte_eth_rx_burst} and {@code rte_pktmbuf_free} are {@code static
 * inline} in the headers, so trawl re-implements the inline body and must know where
 * {@code rte_eth_fp_ops[port].rx_pkt_burst} and {@code .rxq.data} live. DPDK 23.11 (ABI 24) moved them
 * ({@code rxq} to offset 0, {@code rx_pkt_burst} to 16). A release that is not in {@link #KNOWN} is
 * refused: guessing an offset here means calling a random address.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class DpdkAbi {
    /** One checked fact: a C expression and the value trawl assumes for it. */
    public record Check(String cExpression, long value) {
    }

    /** DPDK 22.11 LTS (ABI 23), as Debian 12 ships it. Verified against its headers by DpdkAbiProbeTest. */
    public static final DpdkAbi DPDK_22_11 = buildDpdk2211();

    /** Every release trawl knows, newest first. */
    public static final List<DpdkAbi> KNOWN = List.of(DPDK_22_11);

    private final String release;
    private final int abiVersion;
    private final List<Check> checks = new ArrayList<>();

    // rte_eth_fp_ops (one per port, in the exported array rte_eth_fp_ops[RTE_MAX_ETHPORTS])
    int fpOpsSize;
    int fpOpsRxPktBurst;
    int fpOpsRxqData;
    int fpOpsRxqCallbacks;
    int maxEthPorts;
    int maxQueuesPerPort;

    // struct rte_mbuf
    int mbufBufAddr;
    int mbufDataOff;
    int mbufSegmentCount;
    int mbufPort;
    int mbufOffloadFlags;
    int mbufPacketLength;
    int mbufDataLength;
    int mbufNext;
    int mbufSize;
    int mbufDefaultBufferSize;

    // struct rte_eth_dev_info
    int devInfoSize;
    int devInfoDriverName;
    int devInfoMaxRxPacketLength;
    int devInfoMaxRxQueues;
    int devInfoRxOffloadCapabilities;
    int devInfoRetaSize;
    int devInfoHashKeySize;
    int devInfoFlowTypeRssOffloads;

    // struct rte_eth_conf
    int confSize;
    int confRxMqMode;
    int confRxOffloads;
    int confRssKey;
    int confRssKeyLength;
    int confRssHashFunctions;

    // struct rte_eth_rss_conf (for rte_eth_dev_rss_hash_conf_get)
    int rssConfSize;
    int rssConfKeyLength;
    int rssConfHashFunctions;

    // struct rte_eth_stats
    int statsSize;
    int statsInPackets;
    int statsInBytes;
    int statsInMissed;
    int statsInErrors;
    int statsRxNoMbuf;

    // struct rte_eth_link
    int linkSize;
    int linkSpeed;
    int linkFlagsOffset;
    int linkStatusMask;

    // constants
    long mqModeRss;
    long rssIp;
    long rssTcp;
    long rssUdp;
    int mempoolNameSize;
    int ethNameMaxLength;
    int mempoolCacheMaxSize;
    String timestampDynfieldName;
    String timestampDynflagName;

    private DpdkAbi(final String release, final int abiVersion) {
        this.release = release;
        this.abiVersion = abiVersion;
    }

    private int check(final String cExpression, final long value) {
        checks.add(new Check(cExpression, value));
        return (int) value;
    }

    private long checkLong(final String cExpression, final long value) {
        checks.add(new Check(cExpression, value));
        return value;
    }

    private String checkString(final String macro, final String value) {
        checks.add(new Check("strcmp(" + macro + ", \"" + value + "\")", 0));
        return value;
    }

    private static DpdkAbi buildDpdk2211() {
        final DpdkAbi a = new DpdkAbi("22.11", 23);
        a.fpOpsSize = a.check("sizeof(struct rte_eth_fp_ops)", 128);
        a.fpOpsRxPktBurst = a.check("offsetof(struct rte_eth_fp_ops, rx_pkt_burst)", 0);
        a.fpOpsRxqData = a.check("offsetof(struct rte_eth_fp_ops, rxq.data)", 24);
        a.fpOpsRxqCallbacks = a.check("offsetof(struct rte_eth_fp_ops, rxq.clbk)", 32);
        a.maxEthPorts = a.check("RTE_MAX_ETHPORTS", 32);
        a.maxQueuesPerPort = a.check("RTE_MAX_QUEUES_PER_PORT", 1024);
        a.check("RTE_ETHDEV_RXTX_CALLBACKS", 1);

        a.mbufBufAddr = a.check("offsetof(struct rte_mbuf, buf_addr)", 0);
        a.mbufDataOff = a.check("offsetof(struct rte_mbuf, data_off)", 16);
        a.check("sizeof(((struct rte_mbuf *)0)->data_off)", 2);
        a.mbufSegmentCount = a.check("offsetof(struct rte_mbuf, nb_segs)", 20);
        a.check("sizeof(((struct rte_mbuf *)0)->nb_segs)", 2);
        a.mbufPort = a.check("offsetof(struct rte_mbuf, port)", 22);
        a.mbufOffloadFlags = a.check("offsetof(struct rte_mbuf, ol_flags)", 24);
        a.check("sizeof(((struct rte_mbuf *)0)->ol_flags)", 8);
        a.mbufPacketLength = a.check("offsetof(struct rte_mbuf, pkt_len)", 36);
        a.check("sizeof(((struct rte_mbuf *)0)->pkt_len)", 4);
        a.mbufDataLength = a.check("offsetof(struct rte_mbuf, data_len)", 40);
        a.check("sizeof(((struct rte_mbuf *)0)->data_len)", 2);
        a.mbufNext = a.check("offsetof(struct rte_mbuf, next)", 64);
        a.mbufSize = a.check("sizeof(struct rte_mbuf)", 128);
        a.check("RTE_PKTMBUF_HEADROOM", 128);
        a.mbufDefaultBufferSize = a.check("RTE_MBUF_DEFAULT_BUF_SIZE", 2176);

        a.devInfoSize = a.check("sizeof(struct rte_eth_dev_info)", 376);
        a.devInfoDriverName = a.check("offsetof(struct rte_eth_dev_info, driver_name)", 8);
        a.devInfoMaxRxPacketLength = a.check("offsetof(struct rte_eth_dev_info, max_rx_pktlen)", 36);
        a.devInfoMaxRxQueues = a.check("offsetof(struct rte_eth_dev_info, max_rx_queues)", 44);
        a.check("sizeof(((struct rte_eth_dev_info *)0)->max_rx_queues)", 2);
        a.devInfoRxOffloadCapabilities = a.check("offsetof(struct rte_eth_dev_info, rx_offload_capa)", 72);
        a.devInfoRetaSize = a.check("offsetof(struct rte_eth_dev_info, reta_size)", 104);
        a.devInfoHashKeySize = a.check("offsetof(struct rte_eth_dev_info, hash_key_size)", 106);
        a.check("sizeof(((struct rte_eth_dev_info *)0)->hash_key_size)", 1);
        a.devInfoFlowTypeRssOffloads = a.check("offsetof(struct rte_eth_dev_info, flow_type_rss_offloads)", 112);

        a.confSize = a.check("sizeof(struct rte_eth_conf)", 2272);
        a.confRxMqMode = a.check("offsetof(struct rte_eth_conf, rxmode.mq_mode)", 8);
        a.check("sizeof(((struct rte_eth_conf *)0)->rxmode.mq_mode)", 4);
        a.confRxOffloads = a.check("offsetof(struct rte_eth_conf, rxmode.offloads)", 24);
        a.confRssKey = a.check("offsetof(struct rte_eth_conf, rx_adv_conf.rss_conf.rss_key)", 128);
        a.confRssKeyLength = a.check("offsetof(struct rte_eth_conf, rx_adv_conf.rss_conf.rss_key_len)", 136);
        a.confRssHashFunctions = a.check("offsetof(struct rte_eth_conf, rx_adv_conf.rss_conf.rss_hf)", 144);

        a.rssConfSize = a.check("sizeof(struct rte_eth_rss_conf)", 24);
        a.rssConfKeyLength = a.check("offsetof(struct rte_eth_rss_conf, rss_key_len)", 8);
        a.rssConfHashFunctions = a.check("offsetof(struct rte_eth_rss_conf, rss_hf)", 16);

        a.statsSize = a.check("sizeof(struct rte_eth_stats)", 704);
        a.statsInPackets = a.check("offsetof(struct rte_eth_stats, ipackets)", 0);
        a.statsInBytes = a.check("offsetof(struct rte_eth_stats, ibytes)", 16);
        a.statsInMissed = a.check("offsetof(struct rte_eth_stats, imissed)", 32);
        a.statsInErrors = a.check("offsetof(struct rte_eth_stats, ierrors)", 40);
        a.statsRxNoMbuf = a.check("offsetof(struct rte_eth_stats, rx_nombuf)", 56);

        a.linkSize = a.check("sizeof(struct rte_eth_link)", 8);
        a.linkSpeed = a.check("offsetof(struct rte_eth_link, link_speed)", 0);
        // The status is a bit field: set only it and see which bit of the u16 after link_speed moves.
        a.linkFlagsOffset = 4;
        a.linkStatusMask = a.check("({ struct rte_eth_link l; memset(&l, 0, sizeof l); l.link_status = 1; "
            + "(long) *(uint16_t *) ((char *) &l + 4); })", 4);

        a.mqModeRss = a.checkLong("RTE_ETH_MQ_RX_RSS", 1);
        a.rssIp = a.checkLong("RTE_ETH_RSS_IP", 41868);
        a.rssTcp = a.checkLong("RTE_ETH_RSS_TCP", 66576);
        a.rssUdp = a.checkLong("RTE_ETH_RSS_UDP", 133152);
        a.mempoolNameSize = a.check("RTE_MEMPOOL_NAMESIZE", 26);
        a.ethNameMaxLength = a.check("RTE_ETH_NAME_MAX_LEN", 64);
        a.mempoolCacheMaxSize = a.check("RTE_MEMPOOL_CACHE_MAX_SIZE", 512);
        a.check("SOCKET_ID_ANY", -1);
        a.timestampDynfieldName = a.checkString("RTE_MBUF_DYNFIELD_TIMESTAMP_NAME", "rte_dynfield_timestamp");
        a.timestampDynflagName = a.checkString("RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME", "rte_dynflag_rx_timestamp");
        return a;
    }

    /** The release whose {@code rte_version()} starts with "DPDK " + {@code release} + ".", if known. */
    public static Optional<DpdkAbi> forVersionString(final String rteVersion) {
        for (final DpdkAbi abi : KNOWN) {
            if (rteVersion.startsWith("DPDK " + abi.release + ".") || rteVersion.equals("DPDK " + abi.release)) {
                return Optional.of(abi);
            }
        }
        return Optional.empty();
    }

    /** The DPDK release, e.g. "22.11". */
    public String release() {
        return release;
    }

    /** The ABI (library soname) version, e.g. 23 for {@code librte_ethdev.so.23}. */
    public int abiVersion() {
        return abiVersion;
    }

    /** Every C expression trawl's bindings depend on, with the value assumed. */
    public List<Check> checks() {
        return Collections.unmodifiableList(checks);
    }

    /** Bytes of one {@code rte_mbuf} buffer by default (headroom + 2048 data room). */
    public int defaultMbufBufferSize() {
        return mbufDefaultBufferSize;
    }

    /** The largest mempool cache per lcore. */
    public int mempoolCacheMaxSize() {
        return mempoolCacheMaxSize;
    }

    /** The most ports DPDK handles ({@code RTE_MAX_ETHPORTS}). */
    public int maxEthPorts() {
        return maxEthPorts;
    }

    /** The most queues per port ({@code RTE_MAX_QUEUES_PER_PORT}). */
    public int maxQueuesPerPort() {
        return maxQueuesPerPort;
    }

    @Override
    public String toString() {
        return "DPDK " + release + " (ABI " + abiVersion + ")";
    }
}
