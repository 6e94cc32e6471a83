package io.trawl.pipeline.script.stream;

import io.trawl.pipeline.flow.FlowTable;
import io.trawl.pipeline.reassembly.StreamConsumer;
import io.trawl.pipeline.script.ScriptInstance;
import io.trawl.pipeline.script.ScriptStage;
import io.trawl.pipeline.script.objects.FlowIdValue;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls {@code packet_storage.filter_payload(engine, ts, flowkey, direction, seekpos, buffer)} with the
 * first reassembled chunk of each direction of every TCP flow (direction per
 * {@link ScriptDirections#filex}) and folds the numeric answers into the flow's storage policy (the most
 * liberal wins, see {@link ScriptStage#offerStoragePolicy}). The policy applies from the next packet.
 *
 * <p>Threading: the pipeline thread.
 */
final class PayloadStorageFilters implements StreamConsumer {
    private static final byte CLIENT_SEEN = 1;
    private static final byte SERVER_SEEN = 2;

    private final ScriptStage stage;
    private final ScriptInstance[] scripts;
    private final byte[] seen;

    PayloadStorageFilters(final ScriptStage stage) {
        this.stage = stage;
        final List<ScriptInstance> with = new ArrayList<>();
        for (final ScriptInstance instance : stage.instances()) {
            if (!instance.isDisabled() && !instance.storageFilterPayload().isnil()) {
                with.add(instance);
            }
        }
        this.scripts = with.toArray(new ScriptInstance[0]);
        this.seen = new byte[stage.pipeline().flows().capacity()];
    }

    /** True when some instance has {@code filter_payload}. */
    boolean isNeeded() {
        return scripts.length > 0;
    }

    @Override
    public boolean wantsFlow(final FlowTable flows, final int flow, final long timestampNanos) {
        seen[flow] = 0;
        return true;
    }

    @Override
    public void onData(final int flow, final boolean fromClient, final long streamOffset, final MemorySegment memory,
                       final long memoryOffset, final int length, final long timestampNanos) {
        final byte bit = fromClient ? CLIENT_SEEN : SERVER_SEEN;
        if ((seen[flow] & bit) != 0) {
            return;
        }
        seen[flow] |= bit;
        final LuaValue ts = FlowScripts.seconds(timestampNanos);
        final FlowIdValue id = stage.flowId(flow);
        final LuaValue direction = ScriptDirections.filex(fromClient);
        final LuaValue seekpos = LuaValue.valueOf((double) streamOffset);
        for (final ScriptInstance script : scripts) {
            final Varargs result = script.invoke("packet_storage.filter_payload", script.storageFilterPayload(),
                LuaValue.varargsOf(new LuaValue[] {script.engine(), ts, id, direction, seekpos,
                    stage.newBuffer(memory, memoryOffset, length)}));
            if (result != null && result.arg1().isnumber()) {
                stage.offerStoragePolicy(flow, result.arg1().todouble());
            }
        }
    }
}
