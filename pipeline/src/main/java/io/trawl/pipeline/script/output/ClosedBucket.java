package io.trawl.pipeline.script.output;

import org.luaj.vm2.LuaString;

import java.util.Map;

/**
 * One pipeline's finished bucket of one counter group, handed to {@link CounterOutput}.
 *
 * @param group  the group
 * @param start  bucket start, seconds of packet time
 * @param cells  key to meters (owned by the receiver from now on)
 * @param labels labels set with update_key_info since the previous hand-off (key to label)
 */
record ClosedBucket(CounterGroupDefinition group, long start, Map<LuaString, MeterCell> cells,
                    Map<LuaString, LuaString> labels) {
    long end() {
        return start + group.bucketSeconds();
    }
}
