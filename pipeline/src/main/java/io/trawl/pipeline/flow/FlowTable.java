package io.trawl.pipeline.flow;

import io.trawl.pipeline.decode.DecodedPacket;

import java.util.Arrays;

/**
 * The flows of one pipeline. Flows are keyed by their canonical 5-tuple: IP version, IP protocol and the
 * A and Z endpoints of Trisul's flow key, where Z is the endpoint with the lower port (the lower address
 * when ports are equal), so both directions of a conversation find the same flow.
 *
 * <p>Layout: struct of arrays indexed by a flow handle (stable while the flow lives, from a free list),
 * plus an open-addressing index (linear probing, backward-shift deletion) from key hash to handle. Each
 * flow sits on the LRU list of its timeout class (TCP, UDP, other, closed TCP), so expiry only looks at
 * list heads. Nothing here allocates after construction.
 *
 * <p>Flow boundaries depend only on each flow's own packets: a flow whose next packet comes later than
 * its idle timeout ends before that packet starts a new one, whether or not a sweep got there first. That
 * makes results independent of how flows are spread over pipelines.
 *
 * <p>Threading: single thread (the owning pipeline).
 */
public final class FlowTable {
    /** Direction of the current packet: from the A end to the Z end. */
    public static final int A_TO_Z = 0;
    /** Direction of the current packet: from the Z end to the A end. */
    public static final int Z_TO_A = 1;

    /** Timeout classes. */
    static final int CLASS_TCP = 0;
    static final int CLASS_UDP = 1;
    static final int CLASS_OTHER = 2;
    static final int CLASS_TCP_CLOSED = 3;
    private static final int CLASSES = 4;

    // TCP state bits.
    private static final int SYN_FROM_A = 1;
    private static final int SYN_FROM_Z = 1 << 1;
    private static final int FIN_FROM_A = 1 << 2;
    private static final int FIN_FROM_Z = 1 << 3;
    private static final int RST_SEEN = 1 << 4;

    private static final int NONE = -1;

    private final int capacity;
    private final long[] timeoutNanos = new long[CLASSES];

    // Per flow.
    private final long[] aHigh;
    private final long[] aLow;
    private final long[] zHigh;
    private final long[] zLow;
    /** protocol | ipVersion << 8 | portA << 16 | portZ << 32. */
    private final long[] keyMeta;
    private final long[] firstSeen;
    private final long[] lastSeen;
    private final long[] packetsAz;
    private final long[] bytesAz;
    private final long[] packetsZa;
    private final long[] bytesZa;
    private final long[] serials;
    private final int[] tcpState;
    private final byte[] timeoutClass;
    private final int[] hashes;
    private final int[] previous;
    private final int[] next;

    // LRU list per class, and the free list (threaded through next[]).
    private final int[] heads = new int[CLASSES];
    private final int[] tails = new int[CLASSES];
    private int freeHead;

    // Index: handle + 1, 0 = empty.
    private final int[] index;
    private final int indexMask;

    private final FlowListener listener;
    private int size;
    private long created;
    private long tableFull;
    private long nextSerial = 1;
    private long clock = Long.MIN_VALUE;

    // Result of the last track() call.
    private int lastDirection;
    private boolean lastCreated;

    // Canonical key being looked up.
    private long keyAHigh;
    private long keyALow;
    private long keyZHigh;
    private long keyZLow;
    private long keyMetaValue;

    /**
     * @param capacity        most flows at once
     * @param tcpTimeout      idle timeout of TCP flows, ns of packet time
     * @param udpTimeout      idle timeout of UDP flows, ns
     * @param otherTimeout    idle timeout of other flows, ns
     * @param closedTimeout   how long a TCP flow lingers after FIN both ways or RST, ns
     * @param listener        told about starts and ends
     */
    public FlowTable(final int capacity, final long tcpTimeout, final long udpTimeout, final long otherTimeout,
                     final long closedTimeout, final FlowListener listener) {
        this.capacity = capacity;
        this.listener = listener;
        timeoutNanos[CLASS_TCP] = tcpTimeout;
        timeoutNanos[CLASS_UDP] = udpTimeout;
        timeoutNanos[CLASS_OTHER] = otherTimeout;
        timeoutNanos[CLASS_TCP_CLOSED] = Math.min(closedTimeout, tcpTimeout);
        aHigh = new long[capacity];
        aLow = new long[capacity];
        zHigh = new long[capacity];
        zLow = new long[capacity];
        keyMeta = new long[capacity];
        firstSeen = new long[capacity];
        lastSeen = new long[capacity];
        packetsAz = new long[capacity];
        bytesAz = new long[capacity];
        packetsZa = new long[capacity];
        bytesZa = new long[capacity];
        serials = new long[capacity];
        tcpState = new int[capacity];
        timeoutClass = new byte[capacity];
        hashes = new int[capacity];
        previous = new int[capacity];
        next = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            next[i] = i + 1 < capacity ? i + 1 : NONE;
        }
        freeHead = 0;
        Arrays.fill(heads, NONE);
        Arrays.fill(tails, NONE);
        final int indexSize = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
        index = new int[indexSize];
        indexMask = indexSize - 1;
    }

    /**
     * Finds or creates the flow of a decoded IP packet and counts the packet in it.
     *
     * @return the flow handle, or -1 when the packet has no IP or the table is full (counted)
     */
    public int track(final DecodedPacket d, final long timestampNanos, final int wireLength) {
        if (d.ipVersion() == 0 || d.isLaterFragment()) {
            return NONE;
        }
        if (timestampNanos > clock) {
            clock = timestampNanos;
        }
        final int direction = canonicalize(d);
        final int hash = hash(keyAHigh, keyALow, keyZHigh, keyZLow, keyMetaValue);
        int flow = find(hash);
        final int protocol = d.ipProtocol();
        final int flags = protocol == 6 ? d.tcpFlags() : 0;
        if (flow != NONE) {
            final boolean idle = timestampNanos - lastSeen[flow] > timeoutNanos[timeoutClass[flow]];
            final boolean reopened = timeoutClass[flow] == CLASS_TCP_CLOSED && (flags & 0x12) == 0x02;
            if (idle || reopened) {
                end(flow, idle && timeoutClass[flow] != CLASS_TCP_CLOSED ? FlowEndReason.IDLE : FlowEndReason.TCP_CLOSED);
                flow = NONE;
            }
        }
        lastCreated = false;
        if (flow == NONE) {
            flow = create(hash, protocol, timestampNanos);
            if (flow == NONE) {
                return NONE;
            }
            lastCreated = true;
        }
        lastDirection = direction;
        lastSeen[flow] = timestampNanos;
        if (direction == A_TO_Z) {
            packetsAz[flow]++;
            bytesAz[flow] += wireLength;
        } else {
            packetsZa[flow]++;
            bytesZa[flow] += wireLength;
        }
        if (flags != 0) {
            trackTcp(flow, flags, direction);
        }
        touch(flow);
        if (lastCreated) {
            listener.onFlowStart(this, flow);
        }
        return flow;
    }

    private void trackTcp(final int flow, final int flags, final int direction) {
        int state = tcpState[flow];
        if ((flags & 0x12) == 0x02) { // a SYN without ACK names the client
            state |= direction == A_TO_Z ? SYN_FROM_A : SYN_FROM_Z;
        }
        if ((flags & 0x01) != 0) {
            state |= direction == A_TO_Z ? FIN_FROM_A : FIN_FROM_Z;
        }
        if ((flags & 0x04) != 0) {
            state |= RST_SEEN;
        }
        tcpState[flow] = state;
        if ((state & RST_SEEN) != 0 || (state & (FIN_FROM_A | FIN_FROM_Z)) == (FIN_FROM_A | FIN_FROM_Z)) {
            if (timeoutClass[flow] != CLASS_TCP_CLOSED) {
                unlink(flow);
                timeoutClass[flow] = CLASS_TCP_CLOSED;
                append(flow);
            }
        }
    }

    /** Direction of the packet last given to {@link #track}: {@link #A_TO_Z} or {@link #Z_TO_A}. */
    public int lastDirection() {
        return lastDirection;
    }

    /** True when the last {@link #track} call created the flow. */
    public boolean lastCreated() {
        return lastCreated;
    }

    /**
     * Ends flows idle for longer than their timeout at packet time {@code nowNanos}.
     *
     * @return flows ended
     */
    public int expireIdle(final long nowNanos) {
        return expireIdle(nowNanos, Integer.MAX_VALUE);
    }

    /** Like {@link #expireIdle(long)}, ending at most {@code limit} flows (bounded work per duty cycle). */
    public int expireIdle(final long nowNanos, final int limit) {
        int ended = 0;
        for (int c = 0; c < CLASSES; c++) {
            int flow = heads[c];
            while (flow != NONE && ended < limit && nowNanos - lastSeen[flow] > timeoutNanos[c]) {
                final int following = next[flow];
                end(flow, c == CLASS_TCP_CLOSED ? FlowEndReason.TCP_CLOSED : FlowEndReason.IDLE);
                ended++;
                flow = following;
            }
        }
        return ended;
    }

    /**
     * Ends every flow at the end of input. Flows that would have timed out by {@code clockNanos} (the
     * latest packet time of the whole run) end as idle, the rest as {@link FlowEndReason#END_OF_INPUT}.
     */
    public void endAll(final long clockNanos) {
        expireIdle(clockNanos);
        for (int c = 0; c < CLASSES; c++) {
            while (heads[c] != NONE) {
                end(heads[c], FlowEndReason.END_OF_INPUT);
            }
        }
    }

    /** Ends one flow now (a script's {@code terminate_flow}). */
    public void terminate(final int flow) {
        if (isLive(flow)) {
            end(flow, FlowEndReason.TERMINATED);
        }
    }

    /** True when {@code flow} is a live handle. */
    public boolean isLive(final int flow) {
        return flow >= 0 && flow < capacity && serials[flow] != 0;
    }

    private void end(final int flow, final FlowEndReason reason) {
        listener.onFlowEnd(this, flow, reason);
        removeFromIndex(flow);
        unlink(flow);
        serials[flow] = 0;
        next[flow] = freeHead;
        freeHead = flow;
        size--;
    }

    private int create(final int hash, final int protocol, final long timestampNanos) {
        if (freeHead == NONE) {
            tableFull++;
            return NONE;
        }
        final int flow = freeHead;
        freeHead = next[flow];
        aHigh[flow] = keyAHigh;
        aLow[flow] = keyALow;
        zHigh[flow] = keyZHigh;
        zLow[flow] = keyZLow;
        keyMeta[flow] = keyMetaValue;
        hashes[flow] = hash;
        firstSeen[flow] = timestampNanos;
        lastSeen[flow] = timestampNanos;
        packetsAz[flow] = 0;
        bytesAz[flow] = 0;
        packetsZa[flow] = 0;
        bytesZa[flow] = 0;
        tcpState[flow] = 0;
        serials[flow] = nextSerial++;
        timeoutClass[flow] = (byte) (protocol == 6 ? CLASS_TCP : protocol == 17 ? CLASS_UDP : CLASS_OTHER);
        append(flow);
        int slot = hash & indexMask;
        while (index[slot] != 0) {
            slot = (slot + 1) & indexMask;
        }
        index[slot] = flow + 1;
        size++;
        created++;
        return flow;
    }

    private int find(final int hash) {
        int slot = hash & indexMask;
        while (true) {
            final int entry = index[slot];
            if (entry == 0) {
                return NONE;
            }
            final int flow = entry - 1;
            if (hashes[flow] == hash && keyMeta[flow] == keyMetaValue && aLow[flow] == keyALow
                && zLow[flow] == keyZLow && aHigh[flow] == keyAHigh && zHigh[flow] == keyZHigh) {
                return flow;
            }
            slot = (slot + 1) & indexMask;
        }
    }

    private void removeFromIndex(final int flow) {
        int slot = hashes[flow] & indexMask;
        while (index[slot] != flow + 1) {
            slot = (slot + 1) & indexMask;
        }
        // Backward-shift deletion keeps probe sequences intact without tombstones.
        int hole = slot;
        int probe = (slot + 1) & indexMask;
        while (index[probe] != 0) {
            final int home = hashes[index[probe] - 1] & indexMask;
            if (((probe - home) & indexMask) >= ((probe - hole) & indexMask)) {
                index[hole] = index[probe];
                hole = probe;
            }
            probe = (probe + 1) & indexMask;
        }
        index[hole] = 0;
    }

    private void touch(final int flow) {
        final int c = timeoutClass[flow];
        if (tails[c] != flow) {
            unlink(flow);
            append(flow);
        }
    }

    private void append(final int flow) {
        final int c = timeoutClass[flow];
        previous[flow] = tails[c];
        next[flow] = NONE;
        if (tails[c] != NONE) {
            next[tails[c]] = flow;
        } else {
            heads[c] = flow;
        }
        tails[c] = flow;
    }

    private void unlink(final int flow) {
        final int c = timeoutClass[flow];
        final int before = previous[flow];
        final int after = next[flow];
        if (before != NONE) {
            next[before] = after;
        } else {
            heads[c] = after;
        }
        if (after != NONE) {
            previous[after] = before;
        } else {
            tails[c] = before;
        }
    }

    /** Sets the canonical key fields from a packet; returns the packet's direction. */
    private int canonicalize(final DecodedPacket d) {
        final long meta = d.ipProtocol() | ((long) d.ipVersion() << 8);
        final int sport = d.sourcePort();
        final int dport = d.destinationPort();
        final boolean sourceIsZ = sport != dport ? sport < dport
            : compareAddress(d.sourceHigh(), d.sourceLow(), d.destinationHigh(), d.destinationLow()) < 0;
        if (sourceIsZ) {
            keyAHigh = d.destinationHigh();
            keyALow = d.destinationLow();
            keyZHigh = d.sourceHigh();
            keyZLow = d.sourceLow();
            keyMetaValue = meta | ((long) dport << 16) | ((long) sport << 32);
            return Z_TO_A;
        }
        keyAHigh = d.sourceHigh();
        keyALow = d.sourceLow();
        keyZHigh = d.destinationHigh();
        keyZLow = d.destinationLow();
        keyMetaValue = meta | ((long) sport << 16) | ((long) dport << 32);
        return A_TO_Z;
    }

    private static int compareAddress(final long aHigh, final long aLow, final long bHigh, final long bLow) {
        final int high = Long.compareUnsigned(aHigh, bHigh);
        return high != 0 ? high : Long.compareUnsigned(aLow, bLow);
    }

    /**
     * The hash of a canonical key; symmetric by construction (the key is direction-free). Dispatchers use
     * its high bits to choose a pipeline, the index its low bits.
     */
    static int hash(final long aHigh, final long aLow, final long zHigh, final long zLow, final long meta) {
        long h = aHigh * 0x9E3779B97F4A7C15L;
        h = Long.rotateLeft(h ^ aLow * 0xC2B2AE3D27D4EB4FL, 31);
        h = Long.rotateLeft(h ^ zHigh * 0x165667B19E3779F9L, 27);
        h = Long.rotateLeft(h ^ zLow * 0xD6E8FEB86659FD93L, 33);
        h ^= meta * 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (int) h ^ (int) (h >>> 32);
    }

    /**
     * The symmetric flow hash of a decoded packet (same value for both directions), for dispatching.
     * Packets without IP hash to 0; later fragments hash by addresses and protocol only.
     */
    public int symmetricHash(final DecodedPacket d) {
        if (d.ipVersion() == 0) {
            return 0;
        }
        canonicalize(d);
        return hash(keyAHigh, keyALow, keyZHigh, keyZLow, keyMetaValue);
    }

    /**
     * Finds a live flow by its canonical key (the parts of its Trisul key: A is the end with the higher
     * port, as {@link FlowKeyFormat} writes it). No allocation.
     *
     * @return the flow handle, or -1
     */
    public int find(final int ipVersion, final int protocol, final long addressAHigh, final long addressALow,
                    final int portA, final long addressZHigh, final long addressZLow, final int portZ) {
        keyAHigh = addressAHigh;
        keyALow = addressALow;
        keyZHigh = addressZHigh;
        keyZLow = addressZLow;
        keyMetaValue = (protocol & 0xFF) | ((long) ipVersion << 8) | ((long) (portA & 0xFFFF) << 16)
            | ((long) (portZ & 0xFFFF) << 32);
        return find(hash(keyAHigh, keyALow, keyZHigh, keyZLow, keyMetaValue));
    }

    // ---- reading flows ----------------------------------------------------------------------------

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** Flows created so far. */
    public long created() {
        return created;
    }

    /** Packets that would have started a flow when the table was full. */
    public long tableFullDrops() {
        return tableFull;
    }

    /** Latest packet time this table has seen, ns. */
    public long clock() {
        return clock;
    }

    public int protocol(final int flow) {
        return (int) (keyMeta[flow] & 0xFF);
    }

    public int ipVersion(final int flow) {
        return (int) ((keyMeta[flow] >>> 8) & 0xFF);
    }

    public int portA(final int flow) {
        return (int) ((keyMeta[flow] >>> 16) & 0xFFFF);
    }

    public int portZ(final int flow) {
        return (int) ((keyMeta[flow] >>> 32) & 0xFFFF);
    }

    public long addressAHigh(final int flow) {
        return aHigh[flow];
    }

    public long addressALow(final int flow) {
        return aLow[flow];
    }

    public long addressZHigh(final int flow) {
        return zHigh[flow];
    }

    public long addressZLow(final int flow) {
        return zLow[flow];
    }

    public long firstSeenNanos(final int flow) {
        return firstSeen[flow];
    }

    public long lastSeenNanos(final int flow) {
        return lastSeen[flow];
    }

    public long packetsAToZ(final int flow) {
        return packetsAz[flow];
    }

    public long bytesAToZ(final int flow) {
        return bytesAz[flow];
    }

    public long packetsZToA(final int flow) {
        return packetsZa[flow];
    }

    public long bytesZToA(final int flow) {
        return bytesZa[flow];
    }

    /** Serial number of the flow within this table (1, 2, ...); 0 for a free handle. */
    public long serial(final int flow) {
        return serials[flow];
    }

    /** For TCP: true when the Z end sent the first SYN (the client is at Z). */
    public boolean clientIsZ(final int flow) {
        return (tcpState[flow] & (SYN_FROM_A | SYN_FROM_Z)) == SYN_FROM_Z;
    }
}
