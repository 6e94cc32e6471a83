/**
 * AF_PACKET capture with a TPACKET_V3 block ring: {@link io.trawl.bindings.packet.PacketRingSocket}.
 *
 * <p>Memory-ordering contract: a block belongs to whoever its {@code block_status} names. User space reads
 * the status with a {@link java.lang.invoke.VarHandle} acquire load before reading the block, and returns
 * the block with a release store of {@code TP_STATUS_KERNEL} after its last read. Packets inside a block
 * are plain reads ordered by those two accesses.
 */
package io.trawl.bindings.packet;
