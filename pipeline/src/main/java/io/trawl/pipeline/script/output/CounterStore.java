package io.trawl.pipeline.script.output;

import org.luaj.vm2.LuaString;

import java.util.HashMap;
import java.util.Map;

/**
 * One pipeline's counter groups: {@code update_counter*} accumulate per group, key and meter in the bucket
 * of packet time the pipeline's clock is in; when the clock passes a bucket's end the bucket is handed to
 * the run's {@link CounterOutput}, which merges the pipelines and writes {@code OUT/counters.jsonl}.
 *
 * <p>Updates of a key already in the bucket allocate nothing (lookups by the script's own strings).
 * Threading: the owning pipeline thread only.
 */
public final class CounterStore {
    private final CounterGroups groups;
    private final CounterOutput output;
    private final int pipeline;
    private final Map<LuaString, GroupState> byGuid = new HashMap<>();
    private final Map<String, GroupState> byCanonical = new HashMap<>();
    private long clockSeconds = Long.MIN_VALUE;
    private long updates;

    public CounterStore(final CounterGroups groups, final CounterOutput output, final int pipeline) {
        this.groups = groups;
        this.output = output;
        this.pipeline = pipeline;
    }

    private static final class GroupState {
        final CounterGroupDefinition group;
        long bucket = Long.MIN_VALUE;
        Map<LuaString, MeterCell> cells = new HashMap<>();
        Map<LuaString, LuaString> labels = new HashMap<>();

        GroupState(final CounterGroupDefinition group) {
            this.group = group;
        }
    }

    /** The group state for a GUID string (cached per exact string; GUIDs compare case-insensitively). */
    private GroupState group(final LuaString guid) {
        GroupState state = byGuid.get(guid);
        if (state == null) {
            final CounterGroupDefinition definition = groups.resolve(guid.tojstring());
            state = byCanonical.computeIfAbsent(definition.canonicalGuid(), c -> new GroupState(definition));
            byGuid.put(guid, state);
        }
        return state;
    }

    /**
     * Adds {@code value} to a meter of a key, in the bucket of the pipeline's clock.
     *
     * @throws IllegalArgumentException for a meter id outside 0..{@value CounterGroupDefinition#MAX_METER}
     */
    public void update(final LuaString guid, final LuaString key, final int meter, final double value) {
        if (meter < 0 || meter > CounterGroupDefinition.MAX_METER) {
            throw new IllegalArgumentException("meter " + meter + " is outside 0.." + CounterGroupDefinition.MAX_METER);
        }
        final GroupState state = group(guid);
        roll(state);
        MeterCell cell = state.cells.get(key);
        if (cell == null) {
            cell = new MeterCell();
            state.cells.put(key, cell);
        }
        cell.update(state.group.meterType(meter), meter, value);
        updates++;
    }

    /** Sets a key's label (update_key_info). */
    public void label(final LuaString guid, final LuaString key, final LuaString label) {
        group(guid).labels.put(key, label);
    }

    /** Makes sure the group's current bucket is the one of the clock. */
    private void roll(final GroupState state) {
        if (clockSeconds == Long.MIN_VALUE) {
            return;
        }
        final long bucket = Math.floorDiv(clockSeconds, state.group.bucketSeconds());
        if (bucket != state.bucket) {
            if (state.bucket != Long.MIN_VALUE) {
                handOff(state);
            }
            state.bucket = bucket;
        }
    }

    private void handOff(final GroupState state) {
        if (!state.cells.isEmpty() || !state.labels.isEmpty()) {
            output.accept(new ClosedBucket(state.group, state.bucket * state.group.bucketSeconds(), state.cells,
                state.labels));
            state.cells = new HashMap<>();
            state.labels = new HashMap<>();
        }
    }

    /**
     * The pipeline's packet clock moved to {@code seconds} (call at most once per second of packet time):
     * hands every finished bucket to the output and tells it how far this pipeline got.
     */
    public void advance(final long seconds) {
        if (seconds <= clockSeconds) {
            return;
        }
        clockSeconds = seconds;
        for (final GroupState state : byCanonical.values()) {
            if (state.bucket != Long.MIN_VALUE && (state.bucket + 1) * state.group.bucketSeconds() <= seconds) {
                handOff(state);
                state.bucket = Math.floorDiv(seconds, state.group.bucketSeconds());
            }
        }
        output.advance(pipeline, seconds);
    }

    /** The pipeline's clock, seconds (Long.MIN_VALUE before the first packet). */
    public long clockSeconds() {
        return clockSeconds;
    }

    /** Hands over everything; this pipeline is done. */
    public void close() {
        for (final GroupState state : byCanonical.values()) {
            if (state.bucket != Long.MIN_VALUE) {
                handOff(state);
            } else if (!state.cells.isEmpty() || !state.labels.isEmpty()) {
                state.bucket = 0;
                handOff(state);
            }
        }
        output.finish(pipeline);
    }

    /** Counter updates so far. */
    public long updates() {
        return updates;
    }
}
