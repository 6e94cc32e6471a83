package io.trawl.pipeline.script.stream;

import io.trawl.config.ConfigException;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.flow.FlowEndReason;
import io.trawl.pipeline.flow.FlowTable;
import io.trawl.pipeline.reassembly.StreamConsumer;
import io.trawl.pipeline.script.ScriptInstance;
import io.trawl.pipeline.script.ScriptStage;
import io.trawl.pipeline.script.ScriptType;
import org.luaj.vm2.LuaValue;

import java.util.ArrayList;
import java.util.List;

/**
 * What the stream-driven script types share: the pipeline's enabled instances of one script type, which
 * of them follow each flow (a bit per instance, decided when the flow starts), and
 * {@code onterminateflow}, called once per followed flow: as soon as both directions have ended (FIN or
 * RST), else when the flow ends (idle timeout, end of input, or a direction that never carried a byte).
 *
 * <p>Threading: the pipeline thread.
 */
abstract class FlowScripts implements StreamConsumer {
    /** Most instances of one script type a pipeline runs (the per-flow bit sets are longs). */
    static final int MAX_SCRIPTS = 64;
    private static final byte CLIENT_ENDED = 1;
    private static final byte SERVER_ENDED = 2;
    private static final byte TERMINATED = 4;

    final ScriptStage stage;
    final FlowTable flows;
    final ScriptType type;
    final ScriptInstance[] scripts;
    /** Per flow: the instances following it. */
    final long[] following;
    private final byte[] ended;
    private final LuaValue[] onterminateflow;
    private final long terminating;
    private final String terminateName;

    FlowScripts(final ScriptStage stage, final ScriptType type) {
        this.stage = stage;
        this.flows = stage.pipeline().flows();
        this.type = type;
        this.scripts = enabled(stage, type).toArray(new ScriptInstance[0]);
        if (scripts.length > MAX_SCRIPTS) {
            throw new ConfigException(TrawlSettings.SCRIPTS.key(), scripts.length + " scripts have " + type.key()
                + "; trawl runs at most " + MAX_SCRIPTS + " of one stream type");
        }
        this.following = new long[flows.capacity()];
        this.ended = new byte[flows.capacity()];
        this.onterminateflow = callbacks("onterminateflow");
        this.terminating = maskOf(onterminateflow);
        this.terminateName = type.key() + ".onterminateflow";
    }

    /** The pipeline's instances that have {@code type} and were not disabled by onload. */
    static List<ScriptInstance> enabled(final ScriptStage stage, final ScriptType type) {
        final List<ScriptInstance> out = new ArrayList<>();
        for (final ScriptInstance instance : stage.instances()) {
            if (instance.hasType(type) && !instance.isDisabled()) {
                out.add(instance);
            }
        }
        return out;
    }

    /** Each instance's callback {@code name} of this type (nil where it has none). */
    final LuaValue[] callbacks(final String name) {
        final LuaValue[] out = new LuaValue[scripts.length];
        for (int i = 0; i < scripts.length; i++) {
            out[i] = scripts[i].callback(type, name);
        }
        return out;
    }

    /** The bits of the instances that have a function in {@code functions}. */
    static long maskOf(final LuaValue[] functions) {
        long mask = 0;
        for (int i = 0; i < functions.length; i++) {
            if (!functions[i].isnil()) {
                mask |= 1L << i;
            }
        }
        return mask;
    }

    /** Packet time as the whole Unix seconds callbacks get. */
    static LuaValue seconds(final long nanos) {
        return LuaValue.valueOf((double) Math.floorDiv(nanos, 1_000_000_000L));
    }

    /**
     * Decides which instances follow a new flow (calling their filters).
     *
     * @return the bit set of following instances; 0 = this type does not want the flow
     */
    abstract long admit(int flow, long timestampNanos);

    @Override
    public final boolean wantsFlow(final FlowTable table, final int flow, final long timestampNanos) {
        ended[flow] = 0;
        following[flow] = 0;
        final long mask = admit(flow, timestampNanos);
        following[flow] = mask;
        return mask != 0;
    }

    @Override
    public void onStreamEnd(final int flow, final boolean fromClient, final boolean complete) {
        if (following[flow] == 0) {
            return;
        }
        final int state = ended[flow] | (fromClient ? CLIENT_ENDED : SERVER_ENDED);
        ended[flow] = (byte) state;
        if ((state & (CLIENT_ENDED | SERVER_ENDED)) == (CLIENT_ENDED | SERVER_ENDED)) {
            terminate(flow);
        }
    }

    @Override
    public void onFlowEnd(final FlowTable table, final int flow, final FlowEndReason reason) {
        if (following[flow] != 0) {
            terminate(flow);
        }
        following[flow] = 0;
    }

    private void terminate(final int flow) {
        if ((ended[flow] & TERMINATED) != 0) {
            return;
        }
        ended[flow] |= TERMINATED;
        final long mask = following[flow] & terminating;
        if (mask == 0) {
            return;
        }
        final LuaValue ts = seconds(flows.lastSeenNanos(flow));
        final LuaValue id = stage.flowId(flow);
        for (long m = mask; m != 0; m &= m - 1) {
            final int i = Long.numberOfTrailingZeros(m);
            scripts[i].invoke(terminateName, onterminateflow[i], LuaValue.varargsOf(scripts[i].engine(), ts, id));
        }
    }

    /** True when the instance said yes: a truthy result; an error counts as yes (the filter is as if missing). */
    static boolean accepted(final org.luaj.vm2.Varargs result) {
        return result == null || result.arg1().toboolean();
    }
}
