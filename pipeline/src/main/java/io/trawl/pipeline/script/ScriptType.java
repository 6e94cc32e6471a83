package io.trawl.pipeline.script;

/**
 * The script types a {@code TrisulPlugin} table can hold, detected from its keys. A file may hold several
 * (different) types. {@code reassembly_handler} and {@code filex_monitor} callbacks are driven by the
 * reassembly stage; the others by {@link ScriptStage}.
 */
public enum ScriptType {
    SIMPLECOUNTER("simplecounter"),
    REASSEMBLY_HANDLER("reassembly_handler"),
    FILEX_MONITOR("filex_monitor"),
    PACKET_STORAGE("packet_storage"),
    FLOWMONITOR("flowmonitor"),
    COUNTERGROUP("countergroup"),
    ALERTGROUP("alertgroup"),
    RESOURCEGROUP("resourcegroup");

    /** Trisul backend script types: a frontend host ignores them (with a warning). */
    static final String[] BACKEND_TYPES = {"cg_monitor", "sg_monitor", "alert_monitor", "fts_monitor",
        "resource_monitor", "flow_monitor", "engine_monitor", "flow_tracker", "session_monitor", "inputfilter"};

    private final String key;

    ScriptType(final String key) {
        this.key = key;
    }

    /** The table key ({@code simplecounter}). */
    public String key() {
        return key;
    }
}
