package io.trawl.bindings.dpdk;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Looks up mbuf dynamic fields and flags that drivers register at run time
 * ({@code rte_mbuf_dynfield_lookup}, {@code rte_mbuf_dynflag_lookup}). The one trawl uses is the RX
 * timestamp: a 64-bit field {@code rte_dynfield_timestamp}, valid in an mbuf whose {@code ol_flags} has
 * the bit {@code rte_dynflag_rx_timestamp}. Its unit is the driver's: the pcap PMD stores microseconds
 * since the Unix epoch (the capture's {@code pcap_pkthdr.ts}); NICs store ticks of their own clock.
 *
 * <p>Thread safety: any thread, after EAL initialization.
 */
public final class MbufDynamicFields {
    private MbufDynamicFields() {
    }

    /**
     * The RX timestamp field and flag, or null when no driver registered them (yet: a driver registers
     * them when probed or when the timestamp offload is enabled).
     */
    public static RxTimestamp rxTimestamp() {
        final DpdkAbi abi = Dpdk.abi();
        final int field = lookup(Dpdk.RTE_MBUF_DYNFIELD_LOOKUP, abi.timestampDynfieldName);
        final int flagBit = lookup(Dpdk.RTE_MBUF_DYNFLAG_LOOKUP, abi.timestampDynflagName);
        return field < 0 || flagBit < 0 ? null : new RxTimestamp(field, 1L << flagBit);
    }

    private static int lookup(final MethodHandle lookup, final String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) lookup.invokeExact(arena.allocateFrom(name), MemorySegment.NULL);
        } catch (final Throwable t) {
            throw Dpdk.rethrow(t);
        }
    }

    /**
     * Where the RX timestamp lives.
     *
     * @param fieldOffset byte offset of the 64-bit field in every mbuf
     * @param flagMask    the {@code ol_flags} bit saying the field is valid in that mbuf
     */
    public record RxTimestamp(int fieldOffset, long flagMask) {
        /** The timestamp of {@code mbuf} in the driver's unit, or -1 when the mbuf has none. */
        public long of(final long mbuf) {
            return (Mbuf.offloadFlags(mbuf) & flagMask) != 0 ? Mbuf.dynamicField64(mbuf, fieldOffset) : -1;
        }
    }
}
