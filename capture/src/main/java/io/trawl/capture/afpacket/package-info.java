/**
 * {@code afpacket:IFACE}: live capture through AF_PACKET TPACKET_V3 rings, one per pipeline in a
 * {@code PACKET_FANOUT_HASH} group, zero-copy into the pipelines
 * ({@link io.trawl.capture.afpacket.AfPacketSource}). The native side is {@code io.trawl.bindings.packet}.
 */
package io.trawl.capture.afpacket;
