package io.trawl.bindings.dpdk;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The DPDK libraries ({@code librte_eal}, {@code librte_mempool}, {@code librte_mbuf},
 * {@code librte_ethdev}) through FFM: the availability gate, the detected release and its layout
 * ({@link DpdkAbi}), and every downcall handle, {@code static final} and called with {@code invokeExact}.
 * The typed entry points are {@link Eal}, {@link EthPort}, {@link PacketMempool}, {@link EthRxQueue} and
 * {@link Mbuf}; the raw calls here are package-private.
 *
 * <p>Availability: the libraries must load, {@code rte_version()} must name a release in
 * {@link DpdkAbi#KNOWN}, and every symbol must resolve. Otherwise {@link #isAvailable()} is false and
 * {@link #unavailabilityCause()} says what is missing and which Debian packages provide it (an unknown
 * DPDK release is refused: its struct layout is not known).
 *
 * <p>Hot calls ({@code rx_pkt_burst} through {@code rte_eth_fp_ops}, {@code rte_pktmbuf_free_bulk}) use
 * {@link Linker.Option#critical(boolean) critical(false)}: no thread-state transition, no upcalls.
 * {@code rte_eth_call_rx_callbacks} is not critical, because user callbacks may be anything.
 *
 * <p>Thread safety: the handles are immutable; whether a given DPDK call may run concurrently is DPDK's
 * rule, restated on each typed entry point.
 */
public final class Dpdk {
    /** The Debian packages that provide DPDK 22.11: runtime libraries and PMDs, headers. */
    public static final String DEBIAN_PACKAGES = "dpdk libdpdk-dev";

    static final Linker LINKER = Linker.nativeLinker();
    /** The whole address space, for reading DPDK structures at raw addresses. */
    static final MemorySegment NATIVE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final AddressLayout C_STRING = ADDRESS.withTargetLayout(
        MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));
    private static final Linker.Option CRITICAL = Linker.Option.critical(false);

    /** Loads the libraries and collects the first linking failure; see {@link Linking}. */
    private static final Linking LINK = Linking.load();

    /** Address of {@code rte_eth_fp_ops[0]}. */
    static final long FP_OPS_ADDRESS = LINK.dataAddress("rte_eth_fp_ops");

    /** libc {@code dlsym}, to find thread-local symbols for the calling thread. */
    static final MethodHandle DLSYM = LINK.libcHandle("dlsym", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    static final MethodHandle RTE_EAL_INIT = LINK.handle("rte_eal_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle RTE_EAL_CLEANUP = LINK.handle("rte_eal_cleanup", FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle RTE_EAL_GET_RUNTIME_DIR = LINK.handle("rte_eal_get_runtime_dir",
        FunctionDescriptor.of(C_STRING));
    static final MethodHandle RTE_STRERROR = LINK.handle("rte_strerror", FunctionDescriptor.of(C_STRING, JAVA_INT));
    static final MethodHandle RTE_THREAD_REGISTER = LINK.handle("rte_thread_register", FunctionDescriptor.of(JAVA_INT));
    static final MethodHandle RTE_THREAD_UNREGISTER = LINK.handle("rte_thread_unregister", FunctionDescriptor.ofVoid());
    static final MethodHandle RTE_DEV_PROBE = LINK.handle("rte_dev_probe", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle RTE_EAL_HOTPLUG_REMOVE = LINK.handle("rte_eal_hotplug_remove",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle RTE_PKTMBUF_POOL_CREATE = LINK.handle("rte_pktmbuf_pool_create",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_INT));
    static final MethodHandle RTE_MEMPOOL_FREE = LINK.handle("rte_mempool_free", FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle RTE_MEMPOOL_AVAIL_COUNT = LINK.handle("rte_mempool_avail_count",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle RTE_MBUF_DYNFIELD_LOOKUP = LINK.handle("rte_mbuf_dynfield_lookup",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle RTE_MBUF_DYNFLAG_LOOKUP = LINK.handle("rte_mbuf_dynflag_lookup",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle RTE_ETH_DEV_GET_PORT_BY_NAME = LINK.handle("rte_eth_dev_get_port_by_name",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle RTE_ETH_DEV_INFO_GET = LINK.handle("rte_eth_dev_info_get",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    static final MethodHandle RTE_ETH_DEV_SOCKET_ID = LINK.handle("rte_eth_dev_socket_id",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle RTE_ETH_DEV_CONFIGURE = LINK.handle("rte_eth_dev_configure",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS));
    static final MethodHandle RTE_ETH_DEV_ADJUST_NB_RX_TX_DESC = LINK.handle("rte_eth_dev_adjust_nb_rx_tx_desc",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS, ADDRESS));
    static final MethodHandle RTE_ETH_RX_QUEUE_SETUP = LINK.handle("rte_eth_rx_queue_setup",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle RTE_ETH_DEV_START = LINK.handle("rte_eth_dev_start", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle RTE_ETH_DEV_STOP = LINK.handle("rte_eth_dev_stop", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle RTE_ETH_DEV_CLOSE = LINK.handle("rte_eth_dev_close", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle RTE_ETH_PROMISCUOUS_ENABLE = LINK.handle("rte_eth_promiscuous_enable",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle RTE_ETH_LINK_GET_NOWAIT = LINK.handle("rte_eth_link_get_nowait",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    static final MethodHandle RTE_ETH_STATS_GET = LINK.handle("rte_eth_stats_get",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    static final MethodHandle RTE_ETH_STATS_RESET = LINK.handle("rte_eth_stats_reset",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    static final MethodHandle RTE_ETH_DEV_RSS_HASH_CONF_GET = LINK.handle("rte_eth_dev_rss_hash_conf_get",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    static final MethodHandle RTE_ETH_DEV_RSS_HASH_UPDATE = LINK.handle("rte_eth_dev_rss_hash_update",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    static final MethodHandle RTE_ETH_ADD_RX_CALLBACK = LINK.handle("rte_eth_add_rx_callback",
        FunctionDescriptor.of(ADDRESS, JAVA_SHORT, JAVA_SHORT, ADDRESS, ADDRESS));
    static final MethodHandle RTE_ETH_REMOVE_RX_CALLBACK = LINK.handle("rte_eth_remove_rx_callback",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, ADDRESS));

    // ---- packet path: pointers travel as longs (same registers in the SysV ABI, nothing to wrap) ----

    /**
     * {@code uint16_t (*rx_pkt_burst)(void *rxq, struct rte_mbuf **pkts, uint16_t n)}, the PMD's receive
     * function. The target address is the first argument of every call: DPDK swaps the pointer on
     * start/stop and some drivers change it while running. Critical.
     */
    static final MethodHandle RX_PKT_BURST = LINK.pointerHandle(
        FunctionDescriptor.of(JAVA_SHORT, JAVA_LONG, JAVA_LONG, JAVA_SHORT), CRITICAL);
    /** {@code void rte_pktmbuf_free_bulk(struct rte_mbuf **mbufs, unsigned int count)}. Critical. */
    static final MethodHandle RTE_PKTMBUF_FREE_BULK = LINK.handle("rte_pktmbuf_free_bulk",
        FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_INT), CRITICAL);
    /**
     * {@code uint16_t rte_eth_call_rx_callbacks(port, queue, pkts, nb_rx, nb_pkts, opaque)}: runs the
     * callbacks installed with {@code rte_eth_add_rx_callback}. Not critical: a callback may do anything.
     */
    static final MethodHandle RTE_ETH_CALL_RX_CALLBACKS = LINK.handle("rte_eth_call_rx_callbacks",
        FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_LONG, JAVA_SHORT, JAVA_SHORT, JAVA_LONG));

    /** Declared after every handle, so that a symbol that failed to link above is the cause. */
    private static final Throwable UNAVAILABILITY_CAUSE = LINK.cause();
    private static final DpdkAbi ABI = UNAVAILABILITY_CAUSE == null ? LINK.abi : null;

    private Dpdk() {
    }

    /** True when the DPDK libraries of a known release loaded and every binding linked. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why {@link #isAvailable()} is false (its message names the Debian packages to install), or null. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /**
     * Throws when DPDK is unavailable.
     *
     * @throws DpdkException whose message says what is missing and what to install
     */
    public static void ensureAvailable() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw new DpdkException("DPDK is unavailable: " + UNAVAILABILITY_CAUSE.getMessage()
                + (UNAVAILABILITY_CAUSE instanceof IllegalCallerException
                ? " (the JVM needs --enable-native-access=ALL-UNNAMED)" : ""), UNAVAILABILITY_CAUSE);
        }
    }

    /** The detected release and its layout. */
    public static DpdkAbi abi() {
        ensureAvailable();
        return ABI;
    }

    /** What {@code rte_version()} says, e.g. "DPDK 22.11.11"; null when the library did not load. */
    public static String version() {
        return LINK.version;
    }

    /** The layout, or null when unavailable (for static initializers of the hot-path classes). */
    static DpdkAbi abiOrNull() {
        return ABI;
    }

    /**
     * The calling thread's {@code rte_errno} (a thread-local of librte_eal, found with {@code dlsym}, which
     * returns the calling thread's instance of a TLS symbol). Error paths only.
     */
    static int rteErrno() {
        if (LINK.ealDlHandle.equals(MemorySegment.NULL)) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment address = (MemorySegment) DLSYM.invokeExact(LINK.ealDlHandle,
                arena.allocateFrom("per_lcore__rte_errno"));
            return address.equals(MemorySegment.NULL) ? 0 : address.reinterpret(4).get(JAVA_INT, 0);
        } catch (final Throwable t) {
            return 0;
        }
    }

    /** DPDK's text for an errno or an {@code rte_errno} value ({@code rte_strerror}). */
    public static String strerror(final int errno) {
        if (!isAvailable()) {
            return "errno " + errno;
        }
        try {
            return ((MemorySegment) RTE_STRERROR.invokeExact(Math.abs(errno))).getString(0);
        } catch (final Throwable t) {
            return "errno " + errno;
        }
    }

    static RuntimeException rethrow(final Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
