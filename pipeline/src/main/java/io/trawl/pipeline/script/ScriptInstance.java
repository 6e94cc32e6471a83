package io.trawl.pipeline.script;

import io.trawl.pipeline.decode.Protocol;
import io.trawl.pipeline.script.lua.InstructionBudget;
import io.trawl.pipeline.script.objects.EngineValue;
import io.trawl.pipeline.script.objects.ViewScope;
import io.trawl.pipeline.script.output.CounterGroupDefinition;
import io.trawl.pipeline.script.output.VarType;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One script in one pipeline: its {@link ScriptState}, its validated {@code TrisulPlugin} table, the
 * callbacks of its script types, its {@code engine}, and what happened to it (calls, errors, runaways).
 *
 * <p>Every callback goes through {@link #call}/{@link #invoke}: the instruction budget is reset, views
 * made during the call expire when it returns, and an error (Lua error, runaway, stack overflow) is
 * logged once per distinct message and counted; the callback keeps being called for later events.
 *
 * <p>Threading: the pipeline thread (created and loaded on the main thread before the pipeline starts).
 */
public final class ScriptInstance {
    private final ScriptState state;
    private final ScriptSource source;
    private final ScriptErrorLog errors;
    private final InstructionBudget budget;
    private final ViewScope scope;
    private final long budgetSteps;
    private final EnumSet<ScriptType> types = EnumSet.noneOf(ScriptType.class);
    private long asyncJob = -1;
    private Runnable outputsFlusher;
    private final List<String> warnings = new ArrayList<>();

    private LuaTable plugin;
    private EngineValue engine;
    private LuaValue onload = LuaValue.NIL;
    private LuaValue onunload = LuaValue.NIL;
    private LuaValue onmessage = LuaValue.NIL;
    private Set<String> subscriptions;
    private int simplecounterProtocol = -1;
    private LuaValue simplecounterOnpacket = LuaValue.NIL;
    private boolean flowCounter;
    private LuaValue storageFilter = LuaValue.NIL;
    private LuaValue storageFilterPayload = LuaValue.NIL;
    private LuaValue flowmonitorAttribute = LuaValue.NIL;
    private LuaValue reassemblyAttribute = LuaValue.NIL;

    private boolean disabled;
    private String disabledReason;
    private int depth;
    long calls;
    long errorCount;
    long runaways;

    ScriptInstance(final ScriptState state, final long budgetSteps) {
        this.state = state;
        this.source = state.source();
        this.errors = state.errors();
        this.budget = state.budget();
        this.scope = state.scope();
        this.budgetSteps = budgetSteps;
        state.bind(this);
    }

    // ---- loading --------------------------------------------------------------------------------

    /**
     * Validates {@code TrisulPlugin} and resolves the callbacks of its types; declares its counter groups.
     *
     * @throws ScriptLoadException naming {@code file:line} and the field
     */
    void bind(final ScriptHost host) throws ScriptLoadException {
        final LuaValue value = state.plugin();
        final String where = source.pluginLocation();
        if (!value.istable()) {
            throw new ScriptLoadException(source.fileName() + ":1: the script defines no TrisulPlugin table");
        }
        plugin = (LuaTable) value;
        final LuaValue id = plugin.get("id");
        if (!id.istable()) {
            throw new ScriptLoadException(where + ": TrisulPlugin.id is missing (a table with name and description)");
        }
        for (final String field : new String[] {"name", "description"}) {
            if (!id.get(field).isstring()) {
                throw new ScriptLoadException(where + ": TrisulPlugin.id." + field + " is missing (a string is required)");
            }
        }
        onload = function(plugin, "onload", where);
        onunload = function(plugin, "onunload", where);
        onmessage = function(plugin, "onmessage", where);
        final LuaValue subs = plugin.get("message_subscriptions");
        if (subs.istable()) {
            subscriptions = new HashSet<>();
            for (int i = 1; !subs.get(i).isnil(); i++) {
                subscriptions.add(CounterGroupDefinition.canonical(subs.get(i).tojstring()));
            }
        } else if (!subs.isnil()) {
            throw new ScriptLoadException(where + ": TrisulPlugin.message_subscriptions must be a table of GUIDs");
        }
        for (final ScriptType type : ScriptType.values()) {
            final LuaValue table = plugin.get(type.key());
            if (table.isnil()) {
                continue;
            }
            if (!table.istable()) {
                throw new ScriptLoadException(where + ": TrisulPlugin." + type.key() + " must be a table");
            }
            types.add(type);
            bindType(host, type, (LuaTable) table, where);
        }
        for (final String backend : ScriptType.BACKEND_TYPES) {
            if (!plugin.get(backend).isnil()) {
                warnings.add(where + ": " + backend + " is a Trisul backend script type; trawl ignores it");
            }
        }
        if (types.isEmpty() && onmessage.isnil()) {
            warnings.add(where + ": TrisulPlugin has no script type (simplecounter, packet_storage, ...); it only loads");
        }
    }

    private void bindType(final ScriptHost host, final ScriptType type, final LuaTable table, final String where)
        throws ScriptLoadException {
        final String prefix = "TrisulPlugin." + type.key();
        switch (type) {
            case SIMPLECOUNTER -> {
                final LuaValue guid = table.get("protocol_guid");
                if (!guid.isstring()) {
                    throw new ScriptLoadException(where + ": " + prefix + ".protocol_guid is missing (a protocol GUID)");
                }
                simplecounterProtocol = Protocol.byGuid(guid.tojstring().trim());
                if (simplecounterProtocol < 0) {
                    throw new ScriptLoadException(where + ": " + prefix + ".protocol_guid " + guid.tojstring()
                        + " is not a protocol trawl decodes (" + knownProtocols() + ")");
                }
                simplecounterOnpacket = function(table, "onpacket", where + ": " + prefix);
                if (simplecounterOnpacket.isnil()) {
                    throw new ScriptLoadException(where + ": " + prefix + ".onpacket is missing (a function)");
                }
                flowCounter = table.get("flow_counter").toboolean();
            }
            case PACKET_STORAGE -> {
                storageFilter = function(table, "filter", where + ": " + prefix);
                storageFilterPayload = function(table, "filter_payload", where + ": " + prefix);
            }
            case FLOWMONITOR -> flowmonitorAttribute = function(table, "onflowattribute", where + ": " + prefix);
            case REASSEMBLY_HANDLER -> reassemblyAttribute = function(table, "onattribute", where + ": " + prefix);
            case COUNTERGROUP -> declareCounterGroup(host, table, where + ": " + prefix);
            case ALERTGROUP, RESOURCEGROUP -> {
                final LuaValue control = table.get("control");
                if (!control.istable() || !control.get("guid").isstring()) {
                    throw new ScriptLoadException(where + ": " + prefix + ".control.guid is missing (a GUID string)");
                }
                host.declareGroup(type, control.get("guid").tojstring(), control.get("name").optjstring(null));
            }
            default -> {
                // reassembly callbacks other than onattribute, filex_monitor: the reassembly stage's
            }
        }
    }

    private void declareCounterGroup(final ScriptHost host, final LuaTable table, final String where)
        throws ScriptLoadException {
        final LuaValue control = table.get("control");
        if (!control.istable() || !control.get("guid").isstring()) {
            throw new ScriptLoadException(where + ".control.guid is missing (a GUID string)");
        }
        final LuaValue bucket = control.get("bucketsize");
        if (!bucket.isnil() && (!bucket.isnumber() || bucket.toint() < 1)) {
            throw new ScriptLoadException(where + ".control.bucketsize must be a number of seconds >= 1");
        }
        final LuaValue meters = table.get("meters");
        final List<VarType> types = new ArrayList<>();
        if (meters.istable()) {
            for (int i = 1; !meters.get(i).isnil(); i++) {
                final LuaValue row = meters.get(i);
                if (!row.istable() || !row.get(1).isnumber()) {
                    throw new ScriptLoadException(where + ".meters[" + i + "] must be a row {id, vartype, ...}");
                }
                final int meter = row.get(1).toint();
                if (meter < 0 || meter > CounterGroupDefinition.MAX_METER) {
                    throw new ScriptLoadException(where + ".meters[" + i + "]: meter id " + meter + " is outside 0.."
                        + CounterGroupDefinition.MAX_METER);
                }
                while (types.size() <= meter) {
                    types.add(null);
                }
                types.set(meter, VarType.byId(row.get(2).optint(0)));
            }
        } else if (!meters.isnil()) {
            throw new ScriptLoadException(where + ".meters must be a table of rows");
        }
        host.counterGroups().declare(control.get("guid").tojstring(), control.get("name").optjstring(null),
            bucket.isnil() ? null : bucket.toint(), types.toArray(new VarType[0]));
    }

    private static String knownProtocols() {
        final StringBuilder out = new StringBuilder();
        for (int p = 0; p < Protocol.COUNT; p++) {
            out.append(p == 0 ? "" : ", ").append(Protocol.name(p)).append(' ').append(Protocol.guid(p));
        }
        return out.toString();
    }

    private static LuaValue function(final LuaTable table, final String field, final String where)
        throws ScriptLoadException {
        final LuaValue value = table.get(field);
        if (!value.isnil() && !value.isfunction()) {
            throw new ScriptLoadException(where + "." + field + " must be a function, got " + value.typename());
        }
        return value;
    }

    /** Calls {@code onload}; false (or an error) disables the instance. */
    void load() {
        if (onload.isnil()) {
            return;
        }
        final Varargs result = invoke("onload", onload, LuaValue.NONE);
        if (result == null) {
            disable("onload failed");
        } else if (result.arg1().isboolean() && !result.arg1().toboolean()) {
            disable("onload returned false");
        }
    }

    /** Calls {@code onunload} (shutdown), unless the instance was disabled. */
    void unload() {
        if (!onunload.isnil() && !disabled) {
            invoke("onunload", onunload, LuaValue.NONE);
        }
    }

    void disable(final String reason) {
        disabled = true;
        disabledReason = reason;
    }

    void attach(final EngineValue engineValue) {
        this.engine = engineValue;
    }

    // ---- calling --------------------------------------------------------------------------------

    private boolean enter() {
        if (disabled) {
            return false;
        }
        if (depth++ == 0) {
            budget.reset(budgetSteps);
        }
        scope.enter();
        calls++;
        return true;
    }

    private void exit() {
        scope.exit();
        depth--;
    }

    private void failed(final String callback, final Throwable error) {
        errorCount++;
        if (error instanceof InstructionBudget.Exhausted) {
            runaways++;
        }
        errors.record(callback, error, source.fileName(), budget);
    }

    /**
     * Calls {@code function(a, b)}, ignoring results.
     *
     * @return false when the instance is disabled or the call failed (logged and counted)
     */
    public boolean call(final String callback, final LuaValue function, final LuaValue a, final LuaValue b) {
        if (!enter()) {
            return false;
        }
        try {
            function.call(a, b);
            return true;
        } catch (final RuntimeException | InstructionBudget.Exhausted | StackOverflowError e) {
            // LuaError is a RuntimeException; anything else thrown from Java code is a bug, reported the same way
            failed(callback, e);
            return false;
        } finally {
            exit();
        }
    }

    /**
     * Calls {@code function} with {@code args}.
     *
     * @return its results, or null when the instance is disabled or the call failed (logged and counted)
     */
    public Varargs invoke(final String callback, final LuaValue function, final Varargs args) {
        if (!enter()) {
            return null;
        }
        try {
            return function.invoke(args);
        } catch (final RuntimeException | InstructionBudget.Exhausted | StackOverflowError e) {
            failed(callback, e);
            return null;
        } finally {
            exit();
        }
    }

    // ---- what the stage and other layers read ---------------------------------------------------------

    public ScriptState state() {
        return state;
    }

    public ScriptSource source() {
        return source;
    }

    /** The {@code engine} object of this instance. */
    public EngineValue engine() {
        return engine;
    }

    /** The validated {@code TrisulPlugin} table. */
    public LuaTable plugin() {
        return plugin;
    }

    public Set<ScriptType> types() {
        return EnumSet.copyOf(types.isEmpty() ? EnumSet.noneOf(ScriptType.class) : types);
    }

    public boolean hasType(final ScriptType type) {
        return types.contains(type);
    }

    /** A callback of a script type ({@code (REASSEMBLY_HANDLER, "onpayload")}), or nil. */
    public LuaValue callback(final ScriptType type, final String name) {
        if (plugin == null || !types.contains(type)) {
            return LuaValue.NIL;
        }
        final LuaValue value = plugin.get(type.key()).get(name);
        return value.isfunction() ? value : LuaValue.NIL;
    }

    /**
     * While a T.async onresult/onerror runs: its job id, written into the alerts and resources it adds
     * ({@code async_job}) so consumers can de-duplicate after a recovery; -1 otherwise. Pipeline thread.
     */
    public void asyncJob(final long jobId) {
        this.asyncJob = jobId;
    }

    /**
     * Writes out the alerts and resources buffered so far (T.async: before a job is journaled as
     * delivered, what its onresult produced must be on disk). Pipeline thread.
     */
    public void flushOutputs() {
        if (outputsFlusher != null) {
            outputsFlusher.run();
        }
    }

    void outputsFlusher(final Runnable flusher) {
        this.outputsFlusher = flusher;
    }

    /** The T.async job whose onresult is running, or -1. */
    public long asyncJob() {
        return asyncJob;
    }

    public boolean isDisabled() {
        return disabled;
    }

    public String disabledReason() {
        return disabledReason;
    }

    /** Problems that do not stop loading (backend types, no type at all). */
    List<String> warnings() {
        return warnings;
    }

    int simplecounterProtocol() {
        return simplecounterProtocol;
    }

    LuaValue simplecounterOnpacket() {
        return simplecounterOnpacket;
    }

    boolean flowCounter() {
        return flowCounter;
    }

    LuaValue storageFilter() {
        return storageFilter;
    }

    /** {@code packet_storage.filter_payload}, for the reassembly stage (first chunk of each direction). */
    public LuaValue storageFilterPayload() {
        return storageFilterPayload;
    }

    LuaValue flowmonitorAttribute() {
        return flowmonitorAttribute;
    }

    LuaValue reassemblyAttribute() {
        return reassemblyAttribute;
    }

    LuaValue onmessage() {
        return onmessage;
    }

    /** True when the instance takes a message with this id (null id: every instance with onmessage). */
    boolean subscribes(final String canonicalMessageId) {
        return !onmessage.isnil() && (subscriptions == null || canonicalMessageId == null
            || subscriptions.contains(canonicalMessageId));
    }

    public long calls() {
        return calls;
    }

    public long errorCount() {
        return errorCount;
    }

    public long runaways() {
        return runaways;
    }

    Map<String, Object> describeTypes() {
        final Map<String, Object> out = new LinkedHashMap<>();
        for (final ScriptType type : types) {
            out.put(type.key(), true);
        }
        return out;
    }
}
