package io.trawl.bindings.dpdk;

import static io.trawl.bindings.dpdk.Dpdk.NATIVE;
import static io.trawl.bindings.dpdk.Dpdk.U16;
import static io.trawl.bindings.dpdk.Dpdk.U32;
import static io.trawl.bindings.dpdk.Dpdk.U64;

/**
 * Reads fields of a {@code struct rte_mbuf} at a raw address, with the offsets of the detected release
 * ({@code static final}, so the JIT folds them). No object per mbuf: callers keep the address as a
 * {@code long}.
 *
 * <pre>
 * struct rte_mbuf (DPDK 22.11, first cache line)
 *   0 buf_addr (8)   8 buf_iova (8)   16 data_off (2)  18 refcnt (2)  20 nb_segs (2)  22 port (2)
 *  24 ol_flags (8)  32 packet_type (4)  36 pkt_len (4)  40 data_len (2)  42 vlan_tci (2)  44 hash (8) ...
 *  64 next (8, second cache line) ... dynamic fields (offsets registered at run time)
 * </pre>
 *
 * <p>Packet bytes start at {@code buf_addr + data_off}; a packet of several segments continues in
 * {@code next}. Valid only while the caller owns the mbuf (until it is freed).
 */
public final class Mbuf {
    private static final DpdkAbi ABI = Dpdk.abiOrNull();
    private static final long BUF_ADDR = ABI == null ? 0 : ABI.mbufBufAddr;
    private static final long DATA_OFF = ABI == null ? 0 : ABI.mbufDataOff;
    private static final long NB_SEGS = ABI == null ? 0 : ABI.mbufSegmentCount;
    private static final long PORT = ABI == null ? 0 : ABI.mbufPort;
    private static final long OL_FLAGS = ABI == null ? 0 : ABI.mbufOffloadFlags;
    private static final long PKT_LEN = ABI == null ? 0 : ABI.mbufPacketLength;
    private static final long DATA_LEN = ABI == null ? 0 : ABI.mbufDataLength;
    private static final long NEXT = ABI == null ? 0 : ABI.mbufNext;
    /** Bits from {@code pkt_len} to {@code data_len} in the little-endian word read at {@code pkt_len}. */
    private static final int DATA_LEN_SHIFT = ABI == null ? 0 : (ABI.mbufDataLength - ABI.mbufPacketLength) * 8;

    private Mbuf() {
    }

    /** Address of the first data byte of this segment: {@code buf_addr + data_off}. */
    public static long dataAddress(final long mbuf) {
        return NATIVE.get(U64, mbuf + BUF_ADDR) + (NATIVE.get(U16, mbuf + DATA_OFF) & 0xFFFF);
    }

    /** Bytes of data in this segment ({@code data_len}). */
    public static int dataLength(final long mbuf) {
        return NATIVE.get(U16, mbuf + DATA_LEN) & 0xFFFF;
    }

    /** Bytes of the whole packet, every segment ({@code pkt_len}). */
    public static int packetLength(final long mbuf) {
        return NATIVE.get(U32, mbuf + PKT_LEN);
    }

    /**
     * {@code pkt_len} and {@code data_len} in one load (they are adjacent: 36 and 40); unpack with
     * {@link #packetLengthOf(long)} and {@link #dataLengthOf(long)}.
     */
    public static long lengths(final long mbuf) {
        return NATIVE.get(U64, mbuf + PKT_LEN);
    }

    /** {@code pkt_len} from {@link #lengths(long)}. */
    public static int packetLengthOf(final long lengths) {
        return (int) lengths;
    }

    /** {@code data_len} from {@link #lengths(long)}. */
    public static int dataLengthOf(final long lengths) {
        return (int) (lengths >>> DATA_LEN_SHIFT) & 0xFFFF;
    }

    /** Segments of the packet ({@code nb_segs}), 1 for a contiguous packet. */
    public static int segmentCount(final long mbuf) {
        return NATIVE.get(U16, mbuf + NB_SEGS) & 0xFFFF;
    }

    /** The next segment, or 0. */
    public static long next(final long mbuf) {
        return NATIVE.get(U64, mbuf + NEXT);
    }

    /** The input port ({@code port}). */
    public static int port(final long mbuf) {
        return NATIVE.get(U16, mbuf + PORT) & 0xFFFF;
    }

    /** Offload flags ({@code ol_flags}); dynamic flags are bits registered at run time. */
    public static long offloadFlags(final long mbuf) {
        return NATIVE.get(U64, mbuf + OL_FLAGS);
    }

    /** A 64-bit dynamic field at {@code offset} (from {@link MbufDynamicFields}). */
    public static long dynamicField64(final long mbuf, final int offset) {
        return NATIVE.get(U64, mbuf + offset);
    }
}
