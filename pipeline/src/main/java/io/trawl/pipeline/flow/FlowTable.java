package io.trawl.pipeline.flow;

import io.trawl.pipeline.decode.DecodedPacket;

import java.util.Arrays;

/**
 * The flows of one pipeline. Flows are keyed by their canonical 5-tuple: IP version, IP protocol and the
 * A and Z endpoints of Trisul's flow key, where Z is the endpoint with the lower port (the lower address
 * when ports are equal), so both directions of a conversation find the same flow.
 *
 * <p>Layout, for cache behaviour at hundreds of thousands of flows: per flow a hot record of 8 longs (64
 * bytes, one cache line) holding everything an IPv4 packet reads or writes, and a cold record of 8 longs
 * in a second array, both indexed by a flow handle that is stable while the flow lives (from a free
 * list), so a packet touches one line of its flow and nothing else; plus an open-addressing index (linear
 * probing, backward-shift deletion) whose entries hold the key hash beside the handle, so probing rarely
 * leaves the index. Idle flows are found by a sweep that walks the records in slot order a bounded
 * number at a time. Nothing here allocates after construction.
 *
 * <pre>
 * hot:   0 A address low  1 Z address low
 *        2 protocol | ip version &lt;&lt; 8 | A port &lt;&lt; 16 | Z port &lt;&lt; 32 | TCP state &lt;&lt; 48 | timeout class &lt;&lt; 56
 *        3 last seen ns  4 packets A→Z  5 bytes A→Z  6 packets Z→A  7 bytes Z→A
 * cold:  0 A address high  1 Z address high  2 first seen ns  3 serial (0 = free slot)  4 key hash  5-7 unused
 * index entry: key hash &lt;&lt; 32 | (handle + 1); 0 = empty
 * </pre>
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

    // Record layout: what every packet reads and writes in a 64-byte "hot" record, the rest in a "cold"
    // record of another array (so the hot records of many flows span few pages).
    private static final int STRIDE = 8;
    private static final int A_LOW = 0;
    private static final int Z_LOW = 1;
    private static final int META = 2;
    private static final int LAST_SEEN = 3;
    private static final int PACKETS_AZ = 4;
    private static final int BYTES_AZ = 5;
    private static final int PACKETS_ZA = 6;
    private static final int BYTES_ZA = 7;
    private static final int COLD_STRIDE = 8;
    private static final int A_HIGH = 0;
    private static final int Z_HIGH = 1;
    private static final int FIRST_SEEN = 2;
    private static final int SERIAL = 3;
    private static final int HASH = 4;
    /**
     * Longs before the first record: a large {@code long[]} starts 16 bytes into a heap region that is
     * cache-line aligned, so 6 more longs put every hot record on one 64-byte line. (A different
     * heap layout only costs speed, never correctness.)
     */
    private static final int RECORD_OFFSET = 6;

    // META word: the key's protocol | ip version << 8 | A port << 16 | Z port << 32, then the flow's TCP
    // state bits << 48 and its timeout class << 56 (not part of the key).
    private static final long KEY_MASK = 0xFFFF_FFFF_FFFFL;
    private static final int STATE_SHIFT = 48;
    private static final int CLASS_SHIFT = 56;

    private static final int NONE = -1;
    /** META of a flow ended by {@link #endAll}: its key part has IP version 0xFF, so no key matches it. */
    private static final long ENDED_META = -1L;
    private static final int EMERGENCY_SWEEP_SLOTS = 4096;

    private final int capacity;
    private final long[] timeoutNanos = new long[CLASSES];
    private final long[] records;
    private final long[] cold;
    /** Released handles, a stack through {@code nextFree}; handles never used yet come from {@code neverUsed}. */
    private final int[] nextFree;
    private int freeHead = NONE;
    private int neverUsed;

    private final long[] index;
    private final int indexMask;

    private final FlowListener listener;
    private int size;
    private long created;
    private long tableFull;
    private long nextSerial = 1;
    private long clock = Long.MIN_VALUE;
    private int sweepCursor;
    private boolean endingAll;

    /** Where {@link #loadIndexEntry} and {@link #loadRecord} put what they load, so the loads stay. */
    private long loadSink;

    // Result of the last track() call.
    /** The flow of the last tracked packet while it lives, else {@link #NONE}. */
    private int lastFlow = NONE;
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
        records = new long[RECORD_OFFSET + capacity * STRIDE];
        cold = new long[capacity * COLD_STRIDE];
        nextFree = new int[capacity];
        final int indexSize = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
        index = new long[indexSize];
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
        // Packets come in trains of one flow (86 % of 16minutes.pcap's packets belong to the previous
        // packet's flow): check that flow's record before hashing and probing the index.
        int flow = lastFlow;
        int hash = 0;
        boolean hashed = false;
        if (flow == NONE || !matches(flow, isIpv4Key())) {
            hash = hash(keyAHigh, keyALow, keyZHigh, keyZLow, keyMetaValue);
            hashed = true;
            flow = find(hash);
        }
        final int protocol = d.ipProtocol();
        final int flags = protocol == 6 ? d.tcpFlags() : 0;
        final long[] r = records;
        if (flow != NONE) {
            final int base = base(flow);
            final int timeoutClass = (int) (r[base + META] >>> CLASS_SHIFT);
            final boolean idle = timestampNanos - r[base + LAST_SEEN] > timeoutNanos[timeoutClass];
            final boolean reopened = timeoutClass == CLASS_TCP_CLOSED && (flags & 0x12) == 0x02;
            if (idle || reopened) {
                end(flow, idle && timeoutClass != CLASS_TCP_CLOSED ? FlowEndReason.IDLE : FlowEndReason.TCP_CLOSED);
                flow = NONE;
            }
        }
        lastCreated = false;
        if (flow == NONE) {
            flow = create(hashed ? hash : hash(keyAHigh, keyALow, keyZHigh, keyZLow, keyMetaValue), protocol, timestampNanos);
            if (flow == NONE) {
                return NONE;
            }
            lastCreated = true;
        }
        lastFlow = flow;
        lastDirection = direction;
        final int base = base(flow);
        r[base + LAST_SEEN] = timestampNanos;
        final int counters = base + (direction == A_TO_Z ? PACKETS_AZ : PACKETS_ZA);
        r[counters]++;
        r[counters + 1] += wireLength;
        if (flags != 0) {
            trackTcp(base, flags, direction);
        }
        if (lastCreated) {
            listener.onFlowStart(this, flow);
        }
        return flow;
    }

    private void trackTcp(final int base, final int flags, final int direction) {
        final long meta = records[base + META];
        int state = (int) (meta >>> STATE_SHIFT) & 0xFF;
        int timeoutClass = (int) (meta >>> CLASS_SHIFT);
        if ((flags & 0x12) == 0x02) { // a SYN without ACK names the client
            state |= direction == A_TO_Z ? SYN_FROM_A : SYN_FROM_Z;
        }
        if ((flags & 0x01) != 0) {
            state |= direction == A_TO_Z ? FIN_FROM_A : FIN_FROM_Z;
        }
        if ((flags & 0x04) != 0) {
            state |= RST_SEEN;
        }
        if ((state & RST_SEEN) != 0 || (state & (FIN_FROM_A | FIN_FROM_Z)) == (FIN_FROM_A | FIN_FROM_Z)) {
            timeoutClass = CLASS_TCP_CLOSED;
        }
        records[base + META] = (meta & KEY_MASK) | ((long) state << STATE_SHIFT) | ((long) timeoutClass << CLASS_SHIFT);
    }

    /**
     * Loads the index entry for {@code hash} (a packet's {@link #symmetricHash}) into the cache, so that a
     * later {@link #loadRecord} and {@link #track} of the packet find it there. Changes no flow. Meant for
     * a batch of packets in a tight loop, where the loads overlap.
     */
    public void loadIndexEntry(final int hash) {
        loadSink += index[hash & indexMask];
    }

    /**
     * Loads into the cache the record of the flow the index entry for {@code hash} points at (the line
     * {@link #track} reads and writes), so that the records of several packets are fetched at once.
     * Changes no flow.
     */
    public void loadRecord(final int hash) {
        final long entry = index[hash & indexMask];
        if (entry != 0) {
            final int base = base((int) entry - 1);
            loadSink += records[base + META];
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
     * Ends every flow idle for longer than its timeout at packet time {@code nowNanos}.
     *
     * @return flows ended
     */
    public int expireIdle(final long nowNanos) {
        int ended = 0;
        for (int flow = 0; flow < neverUsed; flow++) {
            if (expireIfIdle(flow, nowNanos)) {
                ended++;
            }
        }
        return ended;
    }

    /**
     * Bounded sweep for one duty cycle: examines the next {@code slots} flow slots (wrapping around after
     * the highest slot ever used: the ones above it are free) and ends the idle flows among them.
     *
     * @return flows ended
     */
    public int sweep(final long nowNanos, final int slots) {
        int ended = 0;
        final int used = neverUsed;
        int cursor = sweepCursor < used ? sweepCursor : 0;
        for (int i = 0; i < slots && i < used; i++) {
            if (expireIfIdle(cursor, nowNanos)) {
                ended++;
            }
            cursor = cursor + 1 == used ? 0 : cursor + 1;
        }
        sweepCursor = cursor;
        return ended;
    }

    private boolean expireIfIdle(final int flow, final long nowNanos) {
        if (cold[coldBase(flow) + SERIAL] == 0) {
            return false;
        }
        final int base = base(flow);
        final int timeoutClass = (int) (records[base + META] >>> CLASS_SHIFT);
        if (nowNanos - records[base + LAST_SEEN] > timeoutNanos[timeoutClass]) {
            end(flow, timeoutClass == CLASS_TCP_CLOSED ? FlowEndReason.TCP_CLOSED : FlowEndReason.IDLE);
            return true;
        }
        return false;
    }

    /**
     * Ends every flow at the end of input. Flows that would have timed out by {@code clockNanos} (the
     * latest packet time of the whole run) end as idle, the rest as {@link FlowEndReason#END_OF_INPUT}.
     */
    public void endAll(final long clockNanos) {
        endingAll = true;
        try {
            for (int flow = 0; flow < neverUsed; flow++) {
                if (!expireIfIdle(flow, clockNanos) && cold[coldBase(flow) + SERIAL] != 0) {
                    end(flow, FlowEndReason.END_OF_INPUT);
                }
            }
        } finally {
            endingAll = false;
        }
        Arrays.fill(index, 0); // every flow has ended: empty the index at once, not entry by entry
    }

    /** Ends one flow now (a script's {@code terminate_flow}). */
    public void terminate(final int flow) {
        if (isLive(flow)) {
            end(flow, FlowEndReason.TERMINATED);
        }
    }

    /** True when {@code flow} is a live handle. */
    public boolean isLive(final int flow) {
        return flow >= 0 && flow < capacity && cold[coldBase(flow) + SERIAL] != 0;
    }

    private void end(final int flow, final FlowEndReason reason) {
        if (flow == lastFlow) {
            lastFlow = NONE; // its handle may be reused by another key: never a shortcut to an ended flow
        }
        listener.onFlowEnd(this, flow, reason);
        if (endingAll) {
            // endAll() empties the index afterwards; until then no lookup may match the ended flow
            records[base(flow) + META] = ENDED_META;
        } else {
            removeFromIndex(flow);
        }
        cold[coldBase(flow) + SERIAL] = 0;
        nextFree[flow] = freeHead;
        freeHead = flow;
        size--;
    }

    private int create(final int hash, final int protocol, final long timestampNanos) {
        if (freeHead == NONE && neverUsed == capacity) {
            sweep(clock, EMERGENCY_SWEEP_SLOTS); // reclaim idle flows the regular sweep has not reached yet
        }
        final int flow;
        if (freeHead != NONE) {
            flow = freeHead;
            freeHead = nextFree[flow];
        } else if (neverUsed < capacity) {
            flow = neverUsed++;
        } else {
            tableFull++;
            return NONE;
        }
        final long[] r = records;
        final int base = base(flow);
        final long[] c = cold;
        final int coldBase = coldBase(flow);
        c[coldBase + A_HIGH] = keyAHigh;
        c[coldBase + Z_HIGH] = keyZHigh;
        c[coldBase + FIRST_SEEN] = timestampNanos;
        c[coldBase + SERIAL] = nextSerial++;
        c[coldBase + HASH] = hash;
        r[base + A_LOW] = keyALow;
        r[base + Z_LOW] = keyZLow;
        r[base + META] = keyMetaValue
            | (long) (protocol == 6 ? CLASS_TCP : protocol == 17 ? CLASS_UDP : CLASS_OTHER) << CLASS_SHIFT;
        r[base + LAST_SEEN] = timestampNanos;
        r[base + PACKETS_AZ] = 0;
        r[base + BYTES_AZ] = 0;
        r[base + PACKETS_ZA] = 0;
        r[base + BYTES_ZA] = 0;
        int slot = hash & indexMask;
        while (index[slot] != 0) {
            slot = (slot + 1) & indexMask;
        }
        index[slot] = ((long) hash << 32) | (flow + 1);
        size++;
        created++;
        return flow;
    }

    private int find(final int hash) {
        final boolean isIpv4Key = isIpv4Key();
        final long[] idx = index;
        int slot = hash & indexMask;
        while (true) {
            final long entry = idx[slot];
            if (entry == 0) {
                return NONE;
            }
            if ((int) (entry >>> 32) == hash) {
                final int flow = (int) entry - 1;
                if (matches(flow, isIpv4Key)) {
                    return flow;
                }
            }
            slot = (slot + 1) & indexMask;
        }
    }

    private boolean isIpv4Key() {
        return (keyMetaValue >>> 8 & 0xFF) == 4;
    }

    /** True when live flow {@code flow} has the canonical key being looked up. */
    private boolean matches(final int flow, final boolean isIpv4Key) {
        final long[] r = records;
        final int base = base(flow);
        // IPv4 keys have zero high halves (the decoder's and find()'s contract): skip that line
        return (r[base + META] & KEY_MASK) == keyMetaValue && r[base + A_LOW] == keyALow && r[base + Z_LOW] == keyZLow
            && (isIpv4Key || cold[coldBase(flow) + A_HIGH] == keyAHigh && cold[coldBase(flow) + Z_HIGH] == keyZHigh);
    }

    private void removeFromIndex(final int flow) {
        int slot = (int) cold[coldBase(flow) + HASH] & indexMask;
        while ((int) index[slot] != flow + 1) {
            slot = (slot + 1) & indexMask;
        }
        // Backward-shift deletion keeps probe sequences intact without tombstones.
        int hole = slot;
        int probe = (slot + 1) & indexMask;
        while (index[probe] != 0) {
            final int home = (int) (index[probe] >>> 32) & indexMask;
            if (((probe - home) & indexMask) >= ((probe - hole) & indexMask)) {
                index[hole] = index[probe];
                hole = probe;
            }
            probe = (probe + 1) & indexMask;
        }
        index[hole] = 0;
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
        keyMetaValue = (protocol & 0xFF) | ((long) (ipVersion & 0xFF) << 8) | ((long) (portA & 0xFFFF) << 16)
            | ((long) (portZ & 0xFFFF) << 32);
        if (ipVersion == 4 && (addressAHigh | addressZHigh) != 0) {
            return NONE; // no IPv4 flow has high address bits
        }
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

    private static int base(final int flow) {
        return RECORD_OFFSET + flow * STRIDE;
    }

    private static int coldBase(final int flow) {
        return flow * COLD_STRIDE;
    }

    private long field(final int flow, final int field) {
        return records[base(flow) + field];
    }

    private long coldField(final int flow, final int field) {
        return cold[coldBase(flow) + field];
    }

    public int protocol(final int flow) {
        return (int) (field(flow, META) & 0xFF);
    }

    public int ipVersion(final int flow) {
        return (int) ((field(flow, META) >>> 8) & 0xFF);
    }

    public int portA(final int flow) {
        return (int) ((field(flow, META) >>> 16) & 0xFFFF);
    }

    public int portZ(final int flow) {
        return (int) ((field(flow, META) >>> 32) & 0xFFFF);
    }

    public long addressAHigh(final int flow) {
        return coldField(flow, A_HIGH);
    }

    public long addressALow(final int flow) {
        return field(flow, A_LOW);
    }

    public long addressZHigh(final int flow) {
        return coldField(flow, Z_HIGH);
    }

    public long addressZLow(final int flow) {
        return field(flow, Z_LOW);
    }

    public long firstSeenNanos(final int flow) {
        return coldField(flow, FIRST_SEEN);
    }

    public long lastSeenNanos(final int flow) {
        return field(flow, LAST_SEEN);
    }

    public long packetsAToZ(final int flow) {
        return field(flow, PACKETS_AZ);
    }

    public long bytesAToZ(final int flow) {
        return field(flow, BYTES_AZ);
    }

    public long packetsZToA(final int flow) {
        return field(flow, PACKETS_ZA);
    }

    public long bytesZToA(final int flow) {
        return field(flow, BYTES_ZA);
    }

    /** Serial number of the flow within this table (1, 2, ...); 0 for a free handle. */
    public long serial(final int flow) {
        return coldField(flow, SERIAL);
    }

    /** For TCP: true when the Z end sent the first SYN (the client is at Z). */
    public boolean clientIsZ(final int flow) {
        return ((int) (field(flow, META) >>> STATE_SHIFT) & (SYN_FROM_A | SYN_FROM_Z)) == SYN_FROM_Z;
    }

    /** For TCP: true once FIN was seen both ways or RST was seen. */
    public boolean tcpClosed(final int flow) {
        return (int) (field(flow, META) >>> CLASS_SHIFT) == CLASS_TCP_CLOSED;
    }
}
