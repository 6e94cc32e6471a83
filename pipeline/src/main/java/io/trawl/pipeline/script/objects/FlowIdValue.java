package io.trawl.pipeline.script.objects;

import io.trawl.pipeline.flow.FlowKeyFormat;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.TwoArgFunction;

/**
 * Trisul's FlowID: a flow key and its parts. A value object (valid forever, shareable).
 *
 * <pre>
 * id() / key() / to_s()   06A:C0.A8.01.02:p-0B94_D1.D8.F9.3A:p-0016   (exact format, see FlowKeyFormat)
 * protocol()              "06"
 * ipa() / ipz()           "C0.A8.01.02" (IPv6: 32 hex digits)
 * porta() / portz()       "p-0B94"
 * ipa_readable()          "192.168.1.2" (IPv6: RFC 5952, e.g. "2001:db8::1")
 * porta_readable()        "2964" (decimal, a string like every readable form)
 * protocol_readable()     "6"
 * </pre>
 * The A end is the one with the higher port (usually the client); Z the lower (usually the server).
 */
public final class FlowIdValue extends ScriptObject {
    private static final LuaTable METHODS = new LuaTable();
    private static final LuaTable META = metatable("FlowID", METHODS);

    private final LuaString key;
    private final FlowKeyFormat.ParsedKey parts = new FlowKeyFormat.ParsedKey();

    private FlowIdValue(final LuaString key) {
        super(METHODS, META);
        this.key = key;
    }

    /** A FlowID for a well-formed key, or null. */
    public static FlowIdValue of(final LuaString key) {
        final FlowIdValue value = new FlowIdValue(key);
        return FlowKeyFormat.parse(key.tojstring(), value.parts) ? value : null;
    }

    /** The key string. */
    public LuaString key() {
        return key;
    }

    /** The parsed parts of the key. */
    public FlowKeyFormat.ParsedKey parts() {
        return parts;
    }

    @Override
    String typeName() {
        return "FlowID";
    }

    @Override
    public String tojstring() {
        return key.tojstring();
    }

    @Override
    public LuaValue tostring() {
        return key;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof FlowIdValue f && f.key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    private int addressLength() {
        return parts.ipVersion == 6 ? 32 : 11;
    }

    private int zStart() {
        return 4 + addressLength() + 7 + 1;
    }

    private LuaString slice(final int from, final int to) {
        return key.substring(from, to);
    }

    private String readable(final boolean aEnd) {
        final StringBuilder out = new StringBuilder(40);
        return FlowKeyFormat.appendReadableAddress(out, parts.ipVersion,
            aEnd ? parts.addressAHigh : parts.addressZHigh, aEnd ? parts.addressALow : parts.addressZLow).toString();
    }

    private abstract static class FlowMethod extends Method.Getter<FlowIdValue> {
        FlowMethod(final String name) {
            super(FlowIdValue.class, "FlowID", name);
        }
    }

    static {
        for (final String name : new String[] {"id", "key", "to_s"}) {
            new FlowMethod(name) {
                @Override
                LuaValue get(final FlowIdValue f) {
                    return f.key;
                }
            }.register(METHODS);
        }
        new FlowMethod("protocol") {
            @Override
            LuaValue get(final FlowIdValue f) {
                return f.slice(0, 2);
            }
        }.register(METHODS);
        new FlowMethod("ipa") {
            @Override
            LuaValue get(final FlowIdValue f) {
                return f.slice(4, 4 + f.addressLength());
            }
        }.register(METHODS);
        new FlowMethod("porta") {
            @Override
            LuaValue get(final FlowIdValue f) {
                final int from = 4 + f.addressLength() + 1;
                return f.slice(from, from + 6);
            }
        }.register(METHODS);
        new FlowMethod("ipz") {
            @Override
            LuaValue get(final FlowIdValue f) {
                return f.slice(f.zStart(), f.zStart() + f.addressLength());
            }
        }.register(METHODS);
        new FlowMethod("portz") {
            @Override
            LuaValue get(final FlowIdValue f) {
                final int from = f.zStart() + f.addressLength() + 1;
                return f.slice(from, from + 6);
            }
        }.register(METHODS);
        new FlowMethod("ipa_readable") {
            @Override
            LuaValue get(final FlowIdValue f) {
                return LuaValue.valueOf(f.readable(true));
            }
        }.register(METHODS);
        new FlowMethod("ipz_readable") {
            @Override
            LuaValue get(final FlowIdValue f) {
                return LuaValue.valueOf(f.readable(false));
            }
        }.register(METHODS);
        new FlowMethod("porta_readable") {
            @Override
            LuaValue get(final FlowIdValue f) {
                return LuaValue.valueOf(Integer.toString(f.parts.portA));
            }
        }.register(METHODS);
        new FlowMethod("portz_readable") {
            @Override
            LuaValue get(final FlowIdValue f) {
                return LuaValue.valueOf(Integer.toString(f.parts.portZ));
            }
        }.register(METHODS);
        new FlowMethod("protocol_readable") {
            @Override
            LuaValue get(final FlowIdValue f) {
                return LuaValue.valueOf(Integer.toString(f.parts.protocol));
            }
        }.register(METHODS);
        META.rawset(LuaValue.TOSTRING, new OneArgFunction() {
            @Override
            public LuaValue call(final LuaValue arg) {
                return arg instanceof FlowIdValue f ? f.key : LuaValue.valueOf(arg.tojstring());
            }
        });
        META.rawset(LuaValue.EQ, new TwoArgFunction() {
            @Override
            public LuaValue call(final LuaValue a, final LuaValue b) {
                return LuaValue.valueOf(a.equals(b));
            }
        });
    }

    /** Reads a flow key argument: a key string, or a FlowID (accepted for convenience). */
    public static LuaString keyArgument(final LuaValue value, final String method, final int position) {
        if (value instanceof FlowIdValue f) {
            return f.key;
        }
        if (value.isstring() && !value.isnumber()) {
            return value.strvalue();
        }
        throw new LuaError(method + ": argument " + position + " (flowkey) must be a flow key string (flowkey:id()), got "
            + Method.describe(value));
    }

}
