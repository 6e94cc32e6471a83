package io.trawl.pipeline.script.objects;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * The {@code engine} object a script instance receives in its callbacks: the pipeline's handle. Every
 * argument is checked; a wrong one raises a Lua error naming the method and the argument
 * ({@code engine:update_counter: argument 3 (meter) must be a whole number, got string 'x'}). Methods that
 * mean nothing in trawl ({@code add_edge}, {@code add_flow_edges}, {@code set_key_attribute}) exist, log
 * once and do nothing.
 */
public final class EngineValue extends ScriptObject {
    private static final LuaTable METHODS = new LuaTable();
    private static final LuaTable META = metatable("engine", METHODS);
    /** Resources larger than this are cut (the contract says contents stay under 32 KB). */
    public static final int MAX_RESOURCE_BYTES = 32 * 1024 - 1;
    /** Tags are cut to this many bytes (the contract says tags stay under 64 bytes). */
    public static final int MAX_TAG_BYTES = 63;

    private final EngineHost host;

    public EngineValue(final EngineHost host) {
        super(METHODS, META);
        this.host = host;
    }

    @Override
    String typeName() {
        return "engine";
    }

    private abstract static class EngineMethod extends Method<EngineValue> {
        EngineMethod(final String name) {
            super(EngineValue.class, "engine", name);
        }

        /** A GUID, key, tag...: a string, or a number (converted, as Lua would). */
        final LuaString text(final Varargs args, final int index, final String what) {
            final LuaValue v = args.arg(index);
            if (v.isstring()) {
                return v.strvalue();
            }
            throw argError(index - 1, what, "a string", v);
        }

        final LuaString guid(final Varargs args, final int index) {
            final LuaValue v = args.arg(index);
            if (v.isstring() && !v.isnumber()) {
                return v.strvalue();
            }
            throw argError(index - 1, "guid", "a GUID string", v);
        }

        final LuaString flowKey(final Varargs args, final int index) {
            return FlowIdValue.keyArgument(args.arg(index), qualified(), index - 1);
        }

        final LuaString optFlowKey(final Varargs args, final int index) {
            final LuaValue v = args.arg(index);
            return v.isnil() ? null : flowKey(args, index);
        }

        final int meter(final Varargs args, final int index) {
            final int meter = integer(args.arg(index), index - 1, "meter");
            if (meter < 0 || meter > 255) {
                throw new LuaError(qualified() + ": argument " + (index - 1) + " (meter) must be 0..255, got " + meter);
            }
            return meter;
        }

        final LuaValue sigid(final Varargs args, final int index) {
            final LuaValue v = args.arg(index);
            if (v.isstring()) {
                return v;
            }
            throw new LuaError(qualified() + ": argument " + (index - 1) + " (sigid) must be a string or number, got " + Method.describe(v));
        }

        final LuaValue priority(final Varargs args, final int index) {
            final LuaValue v = args.arg(index);
            if (v.isnil() || v.isnumber()) {
                return v;
            }
            throw new LuaError(qualified() + ": argument " + (index - 1) + " (priority) must be a number, got " + Method.describe(v));
        }
    }

    static {
        new EngineMethod("update_counter") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                e.host.updateCounter(guid(args, 2), text(args, 3, "key"), meter(args, 4), number(args.arg(5), 4, "value"));
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("update_counter_raw") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                e.host.updateCounter(guid(args, 2), text(args, 3, "key"), meter(args, 4), number(args.arg(5), 4, "value"));
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("update_counter_bytes") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                e.host.updateCounter(guid(args, 2), text(args, 3, "key"), meter(args, 4), e.host.currentWireLength());
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("update_key_info") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                e.host.updateKeyInfo(guid(args, 2), text(args, 3, "key"), text(args, 4, "label"),
                    optString(args, 5, "description"));
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("add_alert") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                // add_alert(alert_guid, flowkey|nil, sigid, priority, message)
                e.host.addAlert(guid(args, 2), optFlowKey(args, 3), sigid(args, 4), null, priority(args, 5),
                    text(args, 6, "message"), null);
                return NONE;
            }
        }.register(METHODS);
        for (final String name : new String[] {"add_alert_full", "add_alert_ids"}) {
            new EngineMethod(name) {
                @Override
                Varargs invoke(final EngineValue e, final Varargs args) {
                    // (alert_guid, flowkey|nil, sigid, classification, priority, message[, status])
                    e.host.addAlert(guid(args, 2), optFlowKey(args, 3), sigid(args, 4), optString(args, 5, "classification"),
                        priority(args, 6), text(args, 7, "message"), optString(args, 8, "status"));
                    return NONE;
                }
            }.register(METHODS);
        }
        new EngineMethod("add_alert_tca") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                // (alert_guid, tca_id, status, message)
                e.host.addAlert(guid(args, 2), null, sigid(args, 3), null, NIL, text(args, 5, "message"),
                    text(args, 4, "status"));
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("add_resource") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                e.host.addResource(guid(args, 2), optFlowKey(args, 3), text(args, 4, "uri"), text(args, 5, "contents"));
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("add_flow_counter") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                final int direction = optInteger(args.arg(6), 5, "direction", 0);
                if (direction < 0 || direction > 2) {
                    throw new LuaError(qualified() + ": argument 5 (direction) must be 0 (both), 1 (out) or 2 (in), got "
                        + direction);
                }
                e.host.addFlowCounter(flowKey(args, 2), guid(args, 3), text(args, 4, "key"), meter(args, 5), direction);
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("reset_flow_counter") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                final LuaString key = args.arg(4).isnil() ? null : text(args, 4, "key");
                final int meter = args.arg(5).isnil() ? -1 : meter(args, 5);
                e.host.resetFlowCounter(flowKey(args, 2), guid(args, 3), key, meter);
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("tag_flow") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                e.host.tagFlow(flowKey(args, 2), text(args, 3, "tag"));
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("disable_reassembly") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                e.host.disableReassembly(flowKey(args, 2));
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("terminate_flow") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                e.host.terminateFlow(flowKey(args, 2));
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("add_flow_attribute") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                e.host.addFlowAttribute(flowKey(args, 2), text(args, 3, "name"), text(args, 4, "value"));
                return NONE;
            }
        }.register(METHODS);
        new EngineMethod("post_message_frontend") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                // post_message_frontend([msgid,] msg)
                if (args.narg() >= 3) {
                    e.host.postMessage(guid(args, 2), text(args, 3, "message"));
                } else {
                    e.host.postMessage(null, text(args, 2, "message"));
                }
                return NONE;
            }
        }.register(METHODS);
        for (final String name : new String[] {"add_edge", "add_flow_edges", "set_key_attribute"}) {
            new EngineMethod(name) {
                @Override
                Varargs invoke(final EngineValue e, final Varargs args) {
                    e.host.unsupported("engine:" + name);
                    return NONE;
                }
            }.register(METHODS);
        }
        new EngineMethod("timestamp") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                return LuaValue.valueOf((double) e.host.timestampSeconds());
            }
        }.register(METHODS);
        for (final String name : new String[] {"instanceid", "id"}) {
            new EngineMethod(name) {
                @Override
                Varargs invoke(final EngineValue e, final Varargs args) {
                    return LuaValue.valueOf(e.host.instanceId());
                }
            }.register(METHODS);
        }
        new EngineMethod("probeid") {
            @Override
            Varargs invoke(final EngineValue e, final Varargs args) {
                return LuaValue.valueOf(e.host.probeId());
            }
        }.register(METHODS);
    }

}
