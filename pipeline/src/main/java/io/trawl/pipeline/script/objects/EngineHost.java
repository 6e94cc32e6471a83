package io.trawl.pipeline.script.objects;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;

/**
 * What the {@code engine} object of one script instance does, implemented by the pipeline's script stage.
 * {@link EngineValue} checks the arguments; these calls trust them. Flow keys are key strings; a key that
 * names no live flow of this pipeline is ignored (and counted). Pipeline thread only.
 */
public interface EngineHost {
    void updateCounter(LuaString guid, LuaString key, int meter, double value);

    /** Wire length of the packet being processed (0 outside packet processing). */
    int currentWireLength();

    void updateKeyInfo(LuaString guid, LuaString key, LuaString label, LuaString description);

    /** An alert; {@code flowKey}, {@code classification}, {@code status} may be null. */
    void addAlert(LuaString group, LuaString flowKey, LuaValue sigid, LuaString classification, LuaValue priority,
                  LuaString message, LuaString status);

    void addResource(LuaString group, LuaString flowKey, LuaString uri, LuaString contents);

    /** direction: 0 both, 1 A→Z (out), 2 Z→A (in). */
    void addFlowCounter(LuaString flowKey, LuaString guid, LuaString key, int meter, int direction);

    /** key null: every counter of the group; meter -1: every meter of the key. */
    void resetFlowCounter(LuaString flowKey, LuaString guid, LuaString key, int meter);

    void tagFlow(LuaString flowKey, LuaString tag);

    void disableReassembly(LuaString flowKey);

    void terminateFlow(LuaString flowKey);

    /** Delivered to the other scripts' onattribute / onflowattribute. */
    void addFlowAttribute(LuaString flowKey, LuaString name, LuaString value);

    /** Broadcast to every instance's onmessage (msgid may be null). */
    void postMessage(LuaString msgid, LuaString message);

    /** A method that means nothing in trawl was called: log once, do nothing. */
    void unsupported(String method);

    /** Packet clock, seconds. */
    long timestampSeconds();

    String instanceId();

    String probeId();
}
