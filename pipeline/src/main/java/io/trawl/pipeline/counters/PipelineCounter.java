package io.trawl.pipeline.counters;

/** The counters every pipeline keeps, with stable type ids and labels. */
public enum PipelineCounter {
    PACKETS(200, "packets", "Packets received"),
    BYTES(201, "bytes", "Bytes received (captured length)"),
    DECODE_ERRORS(202, "decode_errors", "Packets with malformed headers"),
    NOT_IP(203, "not_ip", "Packets without IP (ARP, LLC...)"),
    UNSUPPORTED_LINK_TYPE(204, "unsupported_link_type", "Packets of a link type trawl does not decode"),
    FRAGMENTS(205, "fragments", "IP fragments (not reassembled)"),
    FLOWS_CREATED(206, "flows", "Flows created"),
    FLOWS_ENDED(207, "flows_ended", "Flows ended"),
    FLOWS_ACTIVE(208, "flows_active", "Flows active now"),
    FLOW_TABLE_FULL(209, "flow_table_full", "Packets not tracked because the flow table was full"),
    DISPATCH_RING_FULL(210, "dispatch_ring_full", "Packets dropped because a pipeline's hand-off ring was full");

    private final int typeId;
    private final String key;
    private final String label;

    PipelineCounter(final int typeId, final String key, final String label) {
        this.typeId = typeId;
        this.key = key;
        this.label = label;
    }

    /** Stable id in the counters file. */
    public int typeId() {
        return typeId;
    }

    /** Stable snake_case name (summary.json). */
    public String key() {
        return key;
    }

    /** Human label. */
    public String label() {
        return label;
    }
}
