/**
 * DPDK 22.11 (Debian 12's {@code dpdk}, ABI 23) through FFM, without JNI or a C compiler at install time.
 *
 * <p>Entry points: {@link io.trawl.bindings.dpdk.Dpdk} (the availability gate, the detected
 * {@link io.trawl.bindings.dpdk.DpdkAbi layout}), {@link io.trawl.bindings.dpdk.Eal} (once per process:
 * initialize, register polling threads, clean up), {@link io.trawl.bindings.dpdk.EthPort} (control path),
 * {@link io.trawl.bindings.dpdk.PacketMempool}, {@link io.trawl.bindings.dpdk.EthRxQueue} (the packet path)
 * and {@link io.trawl.bindings.dpdk.Mbuf} (field reads at raw addresses).
 *
 * <p><b>Layout.</b> {@code rte_eth_rx_burst} is {@code static inline}; trawl re-implements it over the
 * exported {@code rte_eth_fp_ops} array with the offsets of the release that {@code rte_version()}
 * names. Unknown releases are refused. Every offset, size and constant in {@code DpdkAbi} is declared
 * with the C expression that yields it, and {@code DpdkAbiProbeTest} compiles those expressions with gcc
 * against {@code /usr/include/dpdk} and compares.
 *
 * <p><b>Threads.</b> {@code rte_eal_init} runs on a short-lived thread (it pins its caller). A thread
 * that receives must call {@link io.trawl.bindings.dpdk.Eal#registerCurrentThread()} first; an
 * {@code EthRxQueue} belongs to one such thread. Control-path calls on a port come from one thread at a
 * time.
 *
 * <p><b>Memory ordering.</b> The RX callback slot {@code rxq.clbk[queue]} is read with an opaque
 * (relaxed) load, as DPDK's inline does; DPDK publishes callbacks with a release store, and the
 * dependency from the slot to the callback's fields orders the rest. The burst function pointer and
 * queue data are plain loads repeated on every burst: DPDK changes them only while no thread polls
 * ({@code rte_eth_dev_start/stop}).
 *
 * <p><b>Memory.</b> Packet bytes stay in mbufs (hugepage or {@code --no-huge} anonymous memory owned by
 * DPDK); they are valid from a burst until the mbufs are freed, which the receiving thread does before
 * its next burst. Nothing on the packet path allocates on the Java heap.
 */
package io.trawl.bindings.dpdk;
