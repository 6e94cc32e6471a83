/**
 * Where packets come from. A {@link io.trawl.capture.CaptureSource} offers one or more
 * {@link io.trawl.capture.ReceiveQueue}s; each queue is polled by exactly one thread and hands packets to a
 * {@link io.trawl.capture.PacketHandler} as a reused {@link io.trawl.capture.PacketView} flyweight whose
 * bytes stay where the source keeps them (a memory-mapped file, a DPDK mbuf, an AF_XDP UMEM frame).
 * Nothing on this path copies packet bytes to the Java heap or allocates per packet.
 *
 * <p>Sources are found by the scheme of a source spec ({@code pcap:PATH}, later {@code dpdk:},
 * {@code afxdp:}, {@code afpacket:}) through {@link io.trawl.capture.CaptureSourceProvider}s registered with
 * {@link java.util.ServiceLoader}; see {@link io.trawl.capture.CaptureSources}.
 */
package io.trawl.capture;
