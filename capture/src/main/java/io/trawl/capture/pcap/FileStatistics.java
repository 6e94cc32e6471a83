package io.trawl.capture.pcap;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a capture file replay counted about its input. Written only by the polling thread; read by others
 * after the replay ends (or approximately while it runs).
 */
final class FileStatistics {
    long records;
    long truncatedRecords;
    long emptyRecords;
    long captureOverSnaplen;
    long captureOverWireLength;
    long unknownInterface;
    long skippedBlocks;

    /** Packets that could not be delivered (they are losses): key → count. */
    Map<String, Long> drops() {
        final Map<String, Long> out = new LinkedHashMap<>();
        out.put("truncated_record", truncatedRecords);
        out.put("unknown_interface", unknownInterface);
        return out;
    }

    /** Facts about the file that are not losses. */
    Map<String, Long> facts() {
        final Map<String, Long> out = new LinkedHashMap<>();
        out.put("records", records);
        out.put("empty_records", emptyRecords);
        out.put("caplen_over_snaplen", captureOverSnaplen);
        out.put("caplen_over_wire_length", captureOverWireLength);
        out.put("skipped_blocks", skippedBlocks);
        return out;
    }
}
