package io.trawl.pipeline.reassembly;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one pipeline's reassembler counted. Plain fields written by the pipeline thread; summed over
 * pipelines into {@code summary.json} {@code reassembly} after the run.
 */
public final class ReassemblyCounters {
    /** Flows reassembled. */
    long flows;
    /** Bytes delivered in order. */
    long bytes;
    /** Holes reported. */
    long gaps;
    /** Bytes missing in those holes. */
    long gapBytes;
    /** Segments that overlapped bytes already delivered or buffered (retransmissions included). */
    long overlaps;
    /** Overlapping bytes that differed from the first-seen bytes (kept: first seen wins). */
    long overlapConflicts;
    /** Segments that arrived ahead of a hole and were buffered. */
    long outOfOrder;
    /** Times a memory cap forced a gap: the flow's own cap. */
    long memcapFlow;
    /** Times a memory cap forced a gap: the pipeline-wide cap. */
    long memcapGlobal;
    /** Segments before the stream's start (older than the first byte seen), ignored. */
    long beforeStart;
    /** Flows whose reassembly was stopped before their end ({@code engine:disable_reassembly}). */
    long disabled;
    /** Most out-of-order bytes buffered at one time (summed over pipelines: an upper bound). */
    long bufferedPeak;
    /** Off-heap bytes the segment store allocated (whole slabs, bounded by the cap). */
    long storeBytes;

    /** Adds another pipeline's counts. */
    public void add(final ReassemblyCounters other) {
        flows += other.flows;
        bytes += other.bytes;
        gaps += other.gaps;
        gapBytes += other.gapBytes;
        overlaps += other.overlaps;
        overlapConflicts += other.overlapConflicts;
        outOfOrder += other.outOfOrder;
        memcapFlow += other.memcapFlow;
        memcapGlobal += other.memcapGlobal;
        beforeStart += other.beforeStart;
        disabled += other.disabled;
        bufferedPeak += other.bufferedPeak;
        storeBytes += other.storeBytes;
    }

    /** The summary.json section. */
    public Map<String, Object> toMap() {
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("flows", flows);
        out.put("bytes", bytes);
        out.put("gaps", gaps);
        out.put("gap_bytes", gapBytes);
        out.put("overlaps", overlaps);
        out.put("overlap_conflicts", overlapConflicts);
        out.put("out_of_order", outOfOrder);
        out.put("memcap_drops", memcapFlow + memcapGlobal);
        out.put("memcap_drops_flow", memcapFlow);
        out.put("memcap_drops_global", memcapGlobal);
        out.put("before_stream_start", beforeStart);
        out.put("disabled", disabled);
        out.put("buffered_peak_bytes", bufferedPeak);
        out.put("store_bytes", storeBytes);
        return out;
    }

    public long flows() {
        return flows;
    }

    public long bytes() {
        return bytes;
    }

    public long gaps() {
        return gaps;
    }

    public long gapBytes() {
        return gapBytes;
    }

    public long overlaps() {
        return overlaps;
    }

    public long overlapConflicts() {
        return overlapConflicts;
    }

    public long outOfOrder() {
        return outOfOrder;
    }

    public long bufferedPeak() {
        return bufferedPeak;
    }

    public long storeBytes() {
        return storeBytes;
    }

    public long disabled() {
        return disabled;
    }

    public long memcapDrops() {
        return memcapFlow + memcapGlobal;
    }
}
