package io.trawl.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static io.trawl.bindings.dpdk.Dpdk.NATIVE;
import static io.trawl.bindings.dpdk.Dpdk.U64;

/**
 * The receive path of one RX queue of a started port: {@link #receive(int)} is the body of DPDK's
 * {@code static inline rte_eth_rx_burst}, re-implemented over the exported {@code rte_eth_fp_ops} array,
 * and {@link #free(int)} is {@code rte_pktmbuf_free_bulk} over what it received.
 *
 * <pre>
 * p  = &amp;rte_eth_fp_ops[port]                         (128 B per port in DPDK 22.11)
 * qd = p-&gt;rxq.data[queue]                              rxq.data @24
 * n  = p-&gt;rx_pkt_burst(qd, pkts, max)                  rx_pkt_burst @0, loaded on every burst
 * cb = relaxed load of p-&gt;rxq.clbk[queue]              rxq.clbk @32
 * if (cb) n = rte_eth_call_rx_callbacks(port, queue, pkts, n, max, cb)
 * </pre>
 *
 * <p>The burst function pointer and queue data are loaded on every call: {@code rte_eth_dev_stop} swaps
 * them for dummies and some drivers change them while running. The downcall target is re-wrapped only
 * when the pointer changes, so a burst allocates nothing.
 *
 * <p>Threading: one thread only, the queue's poller, registered with {@link Eal#registerCurrentThread()};
 * the mbuf array is its scratch space. The port must be started.
 */
public final class EthRxQueue {
    private static final DpdkAbi ABI = Dpdk.abiOrNull();
    private static final long RX_PKT_BURST = ABI == null ? 0 : ABI.fpOpsRxPktBurst;
    private static final long RXQ_DATA = ABI == null ? 0 : ABI.fpOpsRxqData;
    private static final long RXQ_CALLBACKS = ABI == null ? 0 : ABI.fpOpsRxqCallbacks;
    private static final VarHandle SLOT = ValueLayout.JAVA_LONG.varHandle();

    private final int port;
    private final int queue;
    private final long operations;
    private final long queueSlotOffset;
    private final int capacity;
    private final MemorySegment mbufArray;
    private final long mbufArrayAddress;

    private long burstFunction;
    private MemorySegment burstTarget = MemorySegment.NULL;

    EthRxQueue(final int port, final int queue, final int capacity) {
        final DpdkAbi abi = Dpdk.abi();
        if (port < 0 || port >= abi.maxEthPorts || queue < 0 || queue >= abi.maxQueuesPerPort) {
            throw new IllegalArgumentException("port " + port + " queue " + queue + " is out of DPDK's range");
        }
        if (capacity < 1 || capacity > 0xFFFF) {
            throw new IllegalArgumentException("burst capacity must be 1..65535, got " + capacity);
        }
        this.port = port;
        this.queue = queue;
        this.operations = Dpdk.FP_OPS_ADDRESS + (long) port * abi.fpOpsSize;
        this.queueSlotOffset = (long) queue * Long.BYTES;
        this.capacity = capacity;
        this.mbufArray = Arena.ofAuto().allocate((long) capacity * Long.BYTES, 64);
        this.mbufArrayAddress = mbufArray.address();
    }

    /**
     * Receives up to {@code max} packets into the mbuf array (read them with {@link #mbuf(int)}).
     * The caller owns the returned mbufs and must {@link #free(int)} them before the next call that fills index 0.
     *
     * @param max packets wanted; more than {@link #capacity()} is clamped to it
     * @return packets received, 0 when none are ready
     */
    public int receive(final int max) {
        return receive(0, max);
    }

    /**
     * Receives up to {@code max} packets into the mbuf array from index {@code at} on, leaving the mbufs
     * before it in place (a caller holding several bursts). The caller owns the returned mbufs.
     *
     * @param at  first array index to fill, 0 to {@link #capacity()}
     * @param max packets wanted; more than {@code capacity() - at} is clamped to it
     * @return packets received, 0 when none are ready
     */
    public int receive(final int at, final int max) {
        if (at < 0 || at > capacity) {
            throw new IndexOutOfBoundsException("mbuf array index " + at + " of " + capacity);
        }
        final short wanted = (short) Math.min(max, capacity - at);
        if (wanted == 0) {
            return 0;
        }
        final long into = mbufArrayAddress + (long) at * Long.BYTES;
        final long ops = operations;
        final long function = NATIVE.get(U64, ops + RX_PKT_BURST);
        final long queueData = NATIVE.get(U64, NATIVE.get(U64, ops + RXQ_DATA) + queueSlotOffset);
        if (function != burstFunction) {
            burstFunction = function;
            burstTarget = MemorySegment.ofAddress(function);
        }
        int received;
        try {
            received = (short) Dpdk.RX_PKT_BURST.invokeExact(burstTarget, queueData, into, wanted) & 0xFFFF;
            // Relaxed, as in the C inline: the slot becomes non-null when a callback is added.
            final long callbacks = (long) SLOT.getOpaque(NATIVE, NATIVE.get(U64, ops + RXQ_CALLBACKS) + queueSlotOffset);
            if (callbacks != 0) {
                received = (short) Dpdk.RTE_ETH_CALL_RX_CALLBACKS.invokeExact((short) port, (short) queue,
                    into, (short) received, wanted, callbacks) & 0xFFFF;
            }
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
        return received;
    }

    /** The address of the mbuf at array index {@code index} (filled by the receive calls). */
    public long mbuf(final int index) {
        return NATIVE.get(U64, mbufArrayAddress + (long) index * Long.BYTES);
    }

    /** Returns the first {@code count} mbufs of the array to their pool ({@code rte_pktmbuf_free_bulk}). */
    public void free(final int count) {
        if (count == 0) {
            return;
        }
        try {
            Dpdk.RTE_PKTMBUF_FREE_BULK.invokeExact(mbufArrayAddress, count);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /** Most packets one {@link #receive(int)} may take. */
    public int capacity() {
        return capacity;
    }

    /** The port id. */
    public int port() {
        return port;
    }

    /** The queue id. */
    public int queue() {
        return queue;
    }

    /** The address of the mbuf pointer array (for callbacks and tests). */
    public long mbufArrayAddress() {
        return mbufArrayAddress;
    }
}
