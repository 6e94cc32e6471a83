package io.trawl.pipeline.script;

import io.trawl.capture.PacketView;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.PacketContext;
import io.trawl.pipeline.Pipeline;
import io.trawl.pipeline.PipelineStage;
import io.trawl.pipeline.decode.DecodedPacket;
import io.trawl.pipeline.decode.Protocol;
import io.trawl.pipeline.flow.FlowKeyFormat;
import io.trawl.pipeline.flow.FlowTable;
import io.trawl.pipeline.output.Json;
import io.trawl.pipeline.output.JsonLinesFile;
import io.trawl.pipeline.script.objects.BufferValue;
import io.trawl.pipeline.script.objects.EngineHost;
import io.trawl.pipeline.script.objects.EngineValue;
import io.trawl.pipeline.script.objects.FlowIdValue;
import io.trawl.pipeline.script.objects.LayerValue;
import io.trawl.pipeline.script.objects.PacketSource;
import io.trawl.pipeline.script.objects.ViewScope;
import io.trawl.pipeline.script.output.CounterGroupDefinition;
import io.trawl.pipeline.script.output.CounterStore;
import io.trawl.pipeline.script.output.RotatingPcapWriter;
import io.trawl.pipeline.script.output.StoragePolicy;
import org.agrona.concurrent.status.AtomicCounter;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One pipeline's scripts: runs {@code simplecounter.onpacket} for every packet containing the protocol,
 * {@code packet_storage.filter} at flow start (and stores the flow's packets by the most liberal policy),
 * delivers {@code onmessage} between packets, flow attributes to {@code onattribute}/{@code onflowattribute},
 * and implements the {@code engine} of each instance (counters, alerts, resources, flow tags and counters).
 * Flow tags, flow counters and storage outcomes are added to the flow's {@code flows.jsonl} record.
 *
 * <p>Threading: the pipeline thread only (built on the main thread before the pipeline starts).
 */
public final class ScriptStage implements PipelineStage, PacketSource {
    private static final int MAX_ATTRIBUTE_DEPTH = 4;
    private static final int MESSAGES_PER_DUTY = 256;
    private static final long QUIET_NANOS = 1_000_000_000L;
    private static final ScriptCounter[] COUNTERS = ScriptCounter.values();

    private final ScriptHost host;
    private final ScriptRunOutputs outputs;
    private final Pipeline pipeline;
    private final int index;
    private final FlowTable flows;
    private final boolean live;
    private final ViewScope scope = new ViewScope();
    private final ScriptInstance[] instances;
    private final ScriptInstance[][] simplecounters = new ScriptInstance[Protocol.COUNT][];
    private final LuaValue[][] simplecounterFunctions = new LuaValue[Protocol.COUNT][];
    private final ScriptInstance[] storageFilters;
    private final ScriptInstance[] attributeReceivers;
    private final ScriptInstance[] messageReceivers;
    private final CounterStore counterStore;
    private final JsonLinesFile alerts;
    private final JsonLinesFile resources;
    private final JsonLinesFile log;
    private final RotatingPcapWriter storage;
    private final FlowState[] flowStates;
    private final FlowKeyFormat.ParsedKey parsedKey = new FlowKeyFormat.ParsedKey();
    private final StringBuilder keyScratch = new StringBuilder(96);
    private final long[] counts = new long[COUNTERS.length];
    private final AtomicCounter[] published = new AtomicCounter[COUNTERS.length];
    private final Set<String> warnedOnce = new HashSet<>();

    private PacketContext current;
    private long clockNanos = Long.MIN_VALUE;
    private long clockSeconds = Long.MIN_VALUE;
    private long packetsSinceDuty;
    private long lastQuietCheck;
    private int attributeDepth;
    private long resourcesTruncated;
    private long tagsTruncated;

    /** What the scripts know about one flow; made on first need, dropped when the handle is reused. */
    static final class FlowState {
        LuaString key;
        FlowIdValue flowId;
        List<String> tags;
        List<FlowCounter> counters;
        int storagePolicy = StoragePolicy.NO_OPINION;
        long storedPayload;
        long storedPackets;
        boolean reassemblyDisabled;
    }

    /** engine:add_flow_counter: the flow's future bytes (by direction) go to a counter. */
    static final class FlowCounter {
        final LuaString guid;
        final LuaString key;
        final int meter;
        final int direction;
        long bytes;

        FlowCounter(final LuaString guid, final LuaString key, final int meter, final int direction) {
            this.guid = guid;
            this.key = key;
            this.meter = meter;
            this.direction = direction;
        }
    }

    ScriptStage(final ScriptHost host, final ScriptRunOutputs outputs, final Pipeline pipeline) {
        this.host = host;
        this.outputs = outputs;
        this.pipeline = pipeline;
        this.index = pipeline.index();
        this.flows = pipeline.flows();
        this.live = pipeline.isLiveInput();
        this.flowStates = new FlowState[flows.capacity()];
        this.counterStore = new CounterStore(host.counterGroups(), outputs.counters(), index);
        this.alerts = new JsonLinesFile(host.outputPath(ScriptRunOutputs.ALERTS));
        this.resources = new JsonLinesFile(host.outputPath(ScriptRunOutputs.RESOURCES));
        this.log = new JsonLinesFile(host.outputPath(ScriptHost.SCRIPT_LOG));
        final List<ScriptInstance> loaded = new ArrayList<>();
        for (final ScriptSource source : host.sources()) {
            try {
                final ScriptInstance instance = host.newInstance(source, index, log, scope, () -> clockSeconds);
                instance.outputsFlusher(this::flushOutputs);
                instance.attach(new EngineValue(new InstanceEngine(instance)));
                loaded.add(instance);
            } catch (final ScriptLoadException e) {
                // loaded fine at startup; a script whose loading depends on chance: this pipeline runs without it
                host.errorLog(source.name()).record("load (pipeline " + index + ")", e.getMessage());
            }
        }
        this.instances = loaded.toArray(new ScriptInstance[0]);
        for (final ScriptInstance instance : instances) {
            instance.load();
        }
        final List<List<ScriptInstance>> byProtocol = new ArrayList<>();
        for (int p = 0; p < Protocol.COUNT; p++) {
            byProtocol.add(new ArrayList<>());
        }
        final List<ScriptInstance> storing = new ArrayList<>();
        final List<ScriptInstance> attributes = new ArrayList<>();
        final List<ScriptInstance> messages = new ArrayList<>();
        for (final ScriptInstance instance : instances) {
            if (instance.isDisabled()) {
                continue;
            }
            final int protocol = instance.simplecounterProtocol();
            if (protocol >= 0) {
                byProtocol.get(protocol).add(instance);
            }
            if (!instance.storageFilter().isnil()) {
                storing.add(instance);
            }
            if (!instance.reassemblyAttribute().isnil() || !instance.flowmonitorAttribute().isnil()) {
                attributes.add(instance);
            }
            if (!instance.onmessage().isnil()) {
                messages.add(instance);
            }
        }
        for (int p = 0; p < Protocol.COUNT; p++) {
            final List<ScriptInstance> list = byProtocol.get(p);
            if (!list.isEmpty()) {
                simplecounters[p] = list.toArray(new ScriptInstance[0]);
                simplecounterFunctions[p] = list.stream().map(ScriptInstance::simplecounterOnpacket).toArray(LuaValue[]::new);
            }
        }
        this.storageFilters = storing.toArray(new ScriptInstance[0]);
        this.attributeReceivers = attributes.toArray(new ScriptInstance[0]);
        this.messageReceivers = messages.toArray(new ScriptInstance[0]);
        boolean keepsPackets = storageFilters.length > 0;
        for (final ScriptInstance instance : instances) {
            keepsPackets |= !instance.isDisabled() && !instance.storageFilterPayload().isnil(); // policies from filter_payload
        }
        this.storage = !keepsPackets ? null : new RotatingPcapWriter(host.packetStorageDirectory(),
            "p" + index, host.context().get(TrawlSettings.SCRIPTS_PCAP_FILE_BYTES),
            host.context().get(TrawlSettings.SCRIPTS_PCAP_MAX_FILES));
        for (final ScriptCounter counter : COUNTERS) {
            published[counter.ordinal()] = pipeline.newCounter(counter.label(), counter.typeId());
        }
    }

    // ---- PacketSource ---------------------------------------------------------------------------

    @Override
    public PacketContext currentPacket() {
        return current;
    }

    /**
     * Makes {@code packet} the current packet (what {@code engine:timestamp}, {@code update_counter_bytes}
     * and Layer/Packet objects refer to) while a later stage calls scripts for it, e.g. reassembly
     * callbacks; {@code null} when that stage is done with it. Pipeline thread.
     */
    public void currentPacket(final PacketContext packet) {
        current = packet;
    }

    @Override
    public FlowIdValue flowId(final int flow) {
        final FlowState state = flowState(flow);
        if (state.flowId == null) {
            state.flowId = FlowIdValue.of(flowKey(flow));
        }
        return state.flowId;
    }

    @Override
    public ViewScope scope() {
        return scope;
    }

    private FlowState flowState(final int flow) {
        FlowState state = flowStates[flow];
        if (state == null) {
            state = new FlowState();
            flowStates[flow] = state;
        }
        return state;
    }

    private LuaString flowKey(final int flow) {
        final FlowState state = flowState(flow);
        if (state.key == null) {
            keyScratch.setLength(0);
            state.key = LuaString.valueOf(FlowKeyFormat.appendKey(keyScratch, flows, flow).toString());
        }
        return state.key;
    }

    // ---- packets --------------------------------------------------------------------------------

    @Override
    public void onPacket(final PacketContext packet) {
        current = packet;
        packetsSinceDuty++;
        advanceClock(packet.timestampNanos());
        final int flow = packet.flow();
        if (flow >= 0) {
            if (flows.lastCreated() && storageFilters.length > 0) {
                decideStorage(flow);
            }
            final FlowState state = flowStates[flow];
            if (state != null) {
                if (state.counters != null) {
                    meterFlow(state, packet);
                }
                if (StoragePolicy.stores(state.storagePolicy)) {
                    store(state, packet);
                }
            }
        }
        final DecodedPacket decoded = packet.decoded();
        final int layers = decoded.layerCount();
        int seen = 0;
        for (int i = 0; i < layers; i++) {
            final int protocol = decoded.layerProtocol(i);
            if ((seen & (1 << protocol)) != 0) {
                continue;
            }
            seen |= 1 << protocol;
            final ScriptInstance[] counters = simplecounters[protocol];
            if (counters != null) {
                final LuaValue[] functions = simplecounterFunctions[protocol];
                for (int j = 0; j < counters.length; j++) {
                    final ScriptInstance instance = counters[j];
                    instance.call("simplecounter.onpacket", functions[j], instance.engine(), new LayerValue(this, i));
                }
            }
        }
        current = null;
    }

    /** Moves the packet clock (and the counter buckets) forward to {@code ts}. */
    private void advanceClock(final long ts) {
        if (ts > clockNanos) {
            clockNanos = ts;
            final long seconds = Math.floorDiv(ts, 1_000_000_000L);
            if (seconds != clockSeconds) {
                clockSeconds = seconds;
                counterStore.advance(seconds);
            }
        }
    }

    private void meterFlow(final FlowState state, final PacketContext packet) {
        final int wire = packet.packet().wireLength();
        final int direction = packet.direction() == FlowTable.A_TO_Z ? 1 : 2;
        for (final FlowCounter counter : state.counters) {
            if (counter.direction == 0 || counter.direction == direction) {
                counter.bytes += wire;
                counterStore.update(counter.guid, counter.key, counter.meter, wire);
                counts[ScriptCounter.COUNTER_UPDATES.ordinal()]++;
            }
        }
    }

    private void decideStorage(final int flow) {
        int policy = StoragePolicy.NO_OPINION;
        final LuaValue ts = LuaValue.valueOf((double) Math.floorDiv(current.timestampNanos(), 1_000_000_000L));
        final FlowIdValue id = flowId(flow);
        for (final ScriptInstance instance : storageFilters) {
            final Varargs result = instance.invoke("packet_storage.filter", instance.storageFilter(),
                LuaValue.varargsOf(instance.engine(), ts, id));
            if (result != null && result.arg1().isnumber()) {
                policy = StoragePolicy.mostLiberal(policy, StoragePolicy.normalize(result.arg1().todouble()));
            }
        }
        if (policy != StoragePolicy.NO_OPINION) {
            flowState(flow).storagePolicy = policy;
        }
    }

    /**
     * Folds a script's {@code filter_payload} answer into a flow's storage policy (the reassembly stage
     * calls it for the first chunk of each direction).
     */
    public void offerStoragePolicy(final int flow, final double code) {
        final FlowState state = flowState(flow);
        state.storagePolicy = StoragePolicy.mostLiberal(state.storagePolicy, StoragePolicy.normalize(code));
    }

    private void store(final FlowState state, final PacketContext packet) {
        final PacketView view = packet.packet();
        final DecodedPacket decoded = packet.decoded();
        final int headers = decoded.payloadOffset() >= 0 ? Math.min(decoded.payloadOffset(), view.captureLength())
            : view.captureLength();
        int captured = view.captureLength();
        if (state.storagePolicy == StoragePolicy.HEADERS) {
            captured = headers;
        } else if (state.storagePolicy != StoragePolicy.FULL) {
            final long cap = StoragePolicy.payloadCap(state.storagePolicy);
            final long room = cap - state.storedPayload;
            if (room <= 0) {
                return;
            }
            final int payload = decoded.payloadLength();
            if (payload > room) {
                captured = headers + (int) room;
            }
            state.storedPayload += Math.min(payload, room);
        }
        if (storage.write(packet.timestampNanos(), view.linkType(), view.memory(), view.offset(), captured,
            view.wireLength())) {
            state.storedPackets++;
            counts[ScriptCounter.PACKETS_STORED.ordinal()]++;
        } else {
            counts[ScriptCounter.STORAGE_FAILURES.ordinal()]++;
            warnOnce("storage", "trawl: packet_storage: cannot write to " + host.packetStorageDirectory() + ": "
                + storage.failure().getMessage() + " (further packets are counted as storage failures)");
        }
    }

    @Override
    public void onFlowStart(final FlowTable table, final int flow) {
        flowStates[flow] = null;
        // the flow's first packet is being tracked: callbacks other stages make now (reassembly filters,
        // onnewflow) count into that packet's bucket, as they would on any number of pipelines
        advanceClock(table.lastSeenNanos(flow));
    }

    @Override
    public void appendFlowFields(final FlowTable table, final int flow, final JsonLinesFile record) {
        final FlowState state = flowStates[flow];
        if (state == null) {
            return;
        }
        if (state.tags != null) {
            record.name("tags").rawValue(Json.write(state.tags).strip());
        }
        if (state.counters != null) {
            final StringBuilder json = new StringBuilder("[");
            for (final FlowCounter c : state.counters) {
                json.append(json.length() > 1 ? "," : "").append("{\"group\":");
                Json.string(json, c.guid.tojstring());
                json.append(",\"key\":");
                Json.string(json, c.key.tojstring());
                json.append(",\"meter\":").append(c.meter).append(",\"direction\":").append(c.direction)
                    .append(",\"bytes\":").append(c.bytes).append('}');
            }
            record.name("flow_counters").rawValue(json.append(']'));
        }
        if (StoragePolicy.stores(state.storagePolicy) || state.storagePolicy == StoragePolicy.DONT_STORE) {
            record.name("storage").rawValue("{\"policy\":\"" + StoragePolicy.name(state.storagePolicy)
                + "\",\"packets\":" + state.storedPackets + "}");
        }
        if (state.reassemblyDisabled) {
            record.field("reassembly_disabled", true);
        }
    }

    // ---- between packets -------------------------------------------------------------------------

    @Override
    public int doDuty(final long nowNanos) {
        int work = 0;
        MessageBus.Message message;
        while (work < MESSAGES_PER_DUTY && (message = outputs.messages().poll(index)) != null) {
            deliver(message);
            work++;
        }
        if (live && nowNanos - lastQuietCheck >= QUIET_NANOS) {
            if (packetsSinceDuty == 0) {
                // live input: a quiet pipeline must not hold back the counter buckets of the busy ones (a replay
                // never does this: its buckets close on packet time alone, so the output is deterministic)
                final long others = outputs.counters().maxWatermark();
                if (others != Long.MIN_VALUE && others > clockSeconds) {
                    counterStore.advance(others);
                }
            }
            packetsSinceDuty = 0;
            lastQuietCheck = nowNanos;
        }
        publish();
        return work;
    }

    private void deliver(final MessageBus.Message message) {
        final LuaValue id = message.id() == null ? LuaValue.NIL : message.id();
        for (final ScriptInstance instance : messageReceivers) {
            if (instance.subscribes(message.canonicalId())) {
                instance.call("onmessage", instance.onmessage(), id, message.body());
            }
        }
    }

    private void publish() {
        long calls = 0;
        long errors = 0;
        long runaways = 0;
        for (final ScriptInstance instance : instances) {
            calls += instance.calls;
            errors += instance.errorCount;
            runaways += instance.runaways;
        }
        counts[ScriptCounter.CALLS.ordinal()] = calls;
        counts[ScriptCounter.ERRORS.ordinal()] = errors;
        counts[ScriptCounter.RUNAWAYS.ordinal()] = runaways;
        for (int i = 0; i < counts.length; i++) {
            published[i].setRelease(counts[i]);
        }
    }

    /** Writes out buffered alerts and resources. */
    private void flushOutputs() {
        alerts.flush();
        resources.flush();
    }

    @Override
    public void onEndOfInput() {
        alerts.flush();
        resources.flush();
        log.flush();
        if (storage != null) {
            storage.flush();
        }
    }

    @Override
    public boolean isDrained() {
        return outputs.messages().isEmpty(index);
    }

    @Override
    public void onClose() {
        for (final ScriptInstance instance : instances) {
            instance.unload();
        }
        counterStore.close();
        alerts.close();
        resources.close();
        log.close();
        if (storage != null) {
            storage.close();
        }
        publish();
        for (final ScriptInstance instance : instances) {
            instance.state().close();
        }
    }

    // ---- reading -----------------------------------------------------------------------------------

    /** This pipeline's script instances, in load order (for other layers: reassembly, T.async). */
    public List<ScriptInstance> instances() {
        return List.of(instances);
    }

    /** The pipeline. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** True when a script asked {@code engine:disable_reassembly} for the flow. */
    public boolean isReassemblyDisabled(final int flow) {
        final FlowState state = flowStates[flow];
        return state != null && state.reassemblyDisabled;
    }

    /** A Buffer over {@code length} bytes of {@code memory}, valid during the current callback. */
    public BufferValue newBuffer(final MemorySegment memory, final long offset, final int length) {
        return new BufferValue(memory, offset, length, scope);
    }

    long count(final ScriptCounter counter) {
        return counts[counter.ordinal()];
    }

    long resourcesTruncated() {
        return resourcesTruncated;
    }

    long tagsTruncated() {
        return tagsTruncated;
    }

    RotatingPcapWriter storage() {
        return storage;
    }

    private void warnOnce(final String key, final String message) {
        if (warnedOnce.add(key)) {
            host.console().warn(message);
        }
    }

    private long packetSeconds() {
        return current != null ? Math.floorDiv(current.timestampNanos(), 1_000_000_000L) : clockSeconds;
    }

    private long packetNanos() {
        if (current != null) {
            return current.timestampNanos();
        }
        // between packets (T.async results, flows ended by a sweep): the latest packet time, or the wall
        // clock before any packet (a run that only finishes an interrupted run's jobs)
        return clockNanos != Long.MIN_VALUE ? clockNanos : System.currentTimeMillis() * 1_000_000L;
    }

    /** The flow named by a key string, or -1 (counted). */
    private int resolveFlow(final LuaString key) {
        if (current != null && current.flow() >= 0) {
            final FlowState state = flowStates[current.flow()];
            if (state != null && state.key != null && state.key.raweq(key)) {
                return current.flow();
            }
        }
        if (FlowKeyFormat.parse(key.tojstring(), parsedKey)) {
            final FlowKeyFormat.ParsedKey k = parsedKey;
            final int flow = flows.find(k.ipVersion, k.protocol, k.addressAHigh, k.addressALow, k.portA, k.addressZHigh,
                k.addressZLow, k.portZ);
            if (flow >= 0) {
                return flow;
            }
        }
        counts[ScriptCounter.UNKNOWN_FLOW.ordinal()]++;
        return -1;
    }

    /** The engine of one instance. */
    private final class InstanceEngine implements EngineHost {
        private final ScriptInstance instance;
        private final String script;

        InstanceEngine(final ScriptInstance instance) {
            this.instance = instance;
            this.script = instance.source().name();
        }

        @Override
        public void updateCounter(final LuaString guid, final LuaString key, final int meter, final double value) {
            counterStore.update(guid, key, meter, value);
            counts[ScriptCounter.COUNTER_UPDATES.ordinal()]++;
        }

        @Override
        public int currentWireLength() {
            return current == null ? 0 : current.packet().wireLength();
        }

        @Override
        public void updateKeyInfo(final LuaString guid, final LuaString key, final LuaString label,
                                  final LuaString description) {
            counterStore.label(guid, key, label);
        }

        @Override
        public void addAlert(final LuaString group, final LuaString flowKey, final LuaValue sigid,
                             final LuaString classification, final LuaValue priority, final LuaString message,
                             final LuaString status) {
            final String guid = group.tojstring();
            if (!host.isKnownGroup(ScriptType.ALERTGROUP, CounterGroupDefinition.canonical(guid))) {
                warnOnce("alertgroup " + guid, "trawl: script " + script + ": alert group " + guid
                    + " is declared by no script's alertgroup; alerts are written anyway");
            }
            final JsonLinesFile out = alerts.begin().fieldSeconds("ts", packetNanos()).field("group", guid)
                .field("flow", flowKey == null ? null : flowKey.tojstring())
                .field("sigid", sigid.tojstring())
                .field("classification", classification == null ? null : classification.tojstring());
            if (priority.isnumber()) {
                out.field("priority", priority.todouble());
            } else {
                out.name("priority").rawValue("null");
            }
            out.field("message", message.tojstring()).field("status", status == null ? null : status.tojstring())
                .field("script", script);
            if (instance.asyncJob() >= 0) {
                out.field("async_job", instance.asyncJob());
            }
            out.end();
            counts[ScriptCounter.ALERTS.ordinal()]++;
        }

        @Override
        public void addResource(final LuaString group, final LuaString flowKey, final LuaString uri,
                                final LuaString contents) {
            LuaString body = contents;
            if (body.m_length > EngineValue.MAX_RESOURCE_BYTES) {
                body = body.substring(0, EngineValue.MAX_RESOURCE_BYTES);
                resourcesTruncated++;
                warnOnce("resource size " + script, "trawl: script " + script + ": a resource over "
                    + EngineValue.MAX_RESOURCE_BYTES + " bytes was cut (counted in summary.json script_outputs)");
            }
            final JsonLinesFile record = resources.begin().fieldSeconds("ts", packetNanos()).field("group", group.tojstring())
                .field("flow", flowKey == null ? null : flowKey.tojstring()).field("uri", uri.tojstring())
                .field("contents", body.tojstring()).field("script", script);
            if (instance.asyncJob() >= 0) {
                record.field("async_job", instance.asyncJob());
            }
            record.end();
            counts[ScriptCounter.RESOURCES.ordinal()]++;
        }

        @Override
        public void addFlowCounter(final LuaString flowKey, final LuaString guid, final LuaString key, final int meter,
                                   final int direction) {
            final int flow = resolveFlow(flowKey);
            if (flow < 0) {
                return;
            }
            final FlowState state = flowState(flow);
            if (state.counters == null) {
                state.counters = new ArrayList<>(2);
            }
            for (final FlowCounter c : state.counters) {
                if (c.meter == meter && c.direction == direction && c.guid.raweq(guid) && c.key.raweq(key)) {
                    return;
                }
            }
            state.counters.add(new FlowCounter(guid, key, meter, direction));
        }

        @Override
        public void resetFlowCounter(final LuaString flowKey, final LuaString guid, final LuaString key, final int meter) {
            final int flow = resolveFlow(flowKey);
            if (flow < 0 || flowStates[flow] == null || flowStates[flow].counters == null) {
                return;
            }
            final String canonical = CounterGroupDefinition.canonical(guid.tojstring());
            flowStates[flow].counters.removeIf(c -> CounterGroupDefinition.canonical(c.guid.tojstring()).equals(canonical)
                && (key == null || c.key.raweq(key)) && (meter < 0 || c.meter == meter));
        }

        @Override
        public void tagFlow(final LuaString flowKey, final LuaString tag) {
            final int flow = resolveFlow(flowKey);
            if (flow < 0) {
                return;
            }
            LuaString text = tag;
            if (text.m_length > EngineValue.MAX_TAG_BYTES) {
                text = text.substring(0, EngineValue.MAX_TAG_BYTES);
                tagsTruncated++;
            }
            final FlowState state = flowState(flow);
            if (state.tags == null) {
                state.tags = new ArrayList<>(2);
            }
            final String value = text.tojstring();
            if (!state.tags.contains(value)) {
                state.tags.add(value);
            }
        }

        @Override
        public void disableReassembly(final LuaString flowKey) {
            final int flow = resolveFlow(flowKey);
            if (flow >= 0) {
                flowState(flow).reassemblyDisabled = true;
            }
        }

        @Override
        public void terminateFlow(final LuaString flowKey) {
            final int flow = resolveFlow(flowKey);
            if (flow >= 0) {
                pipeline.terminateFlowAfterPacket(flow);
            }
        }

        @Override
        public void addFlowAttribute(final LuaString flowKey, final LuaString name, final LuaString value) {
            final int flow = resolveFlow(flowKey);
            if (flow < 0 || attributeDepth >= MAX_ATTRIBUTE_DEPTH) {
                return;
            }
            final FlowIdValue id = flowId(flow);
            final LuaValue ts = LuaValue.valueOf((double) packetSeconds());
            attributeDepth++;
            try {
                for (final ScriptInstance receiver : attributeReceivers) {
                    if (receiver == instance || receiver.isDisabled()) {
                        continue;
                    }
                    if (!receiver.reassemblyAttribute().isnil()) {
                        receiver.invoke("reassembly_handler.onattribute", receiver.reassemblyAttribute(),
                            LuaValue.varargsOf(new LuaValue[] {receiver.engine(), ts, id, name, value}));
                    }
                    if (!receiver.flowmonitorAttribute().isnil()) {
                        final byte[] bytes = new byte[value.m_length];
                        value.copyInto(0, bytes, 0, bytes.length);
                        receiver.invoke("flowmonitor.onflowattribute", receiver.flowmonitorAttribute(),
                            LuaValue.varargsOf(new LuaValue[] {receiver.engine(), id, ts, name,
                                new BufferValue(MemorySegment.ofArray(bytes), 0, bytes.length, scope)}));
                    }
                }
            } finally {
                attributeDepth--;
            }
        }

        @Override
        public void postMessage(final LuaString msgid, final LuaString message) {
            final int full = outputs.messages().post(new MessageBus.Message(msgid,
                msgid == null ? null : CounterGroupDefinition.canonical(msgid.tojstring()), message));
            counts[ScriptCounter.MESSAGES_DROPPED.ordinal()] += full;
        }

        @Override
        public void unsupported(final String method) {
            warnOnce("unsupported " + method, "trawl: script " + script + ": " + method
                + " means nothing in trawl; it does nothing (logged once)");
        }

        @Override
        public long timestampSeconds() {
            return packetSeconds();
        }

        @Override
        public String instanceId() {
            return Integer.toString(index);
        }

        @Override
        public String probeId() {
            return host.probeId();
        }
    }

}
