package io.trawl.pipeline.script;

/** The script layer's counters in STATE/counters.dat (type ids 400-499), per pipeline. */
public enum ScriptCounter {
    CALLS(400, "script callbacks called"),
    ERRORS(401, "script callback errors"),
    RUNAWAYS(402, "script callbacks stopped by the instruction budget"),
    MESSAGES_DROPPED(403, "script messages dropped (a pipeline's inbox was full)"),
    ALERTS(404, "alerts written"),
    RESOURCES(405, "resources written"),
    COUNTER_UPDATES(406, "counter-group updates"),
    PACKETS_STORED(407, "packets stored by packet_storage"),
    STORAGE_FAILURES(408, "packets not stored: write failure"),
    UNKNOWN_FLOW(409, "engine calls naming a flow key this pipeline does not track");

    private final int typeId;
    private final String label;

    ScriptCounter(final int typeId, final String label) {
        this.typeId = typeId;
        this.label = label;
    }

    public int typeId() {
        return typeId;
    }

    public String label() {
        return label;
    }
}
