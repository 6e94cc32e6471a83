package io.trawl.pipeline.script.objects;

import io.trawl.capture.PacketView;
import io.trawl.pipeline.PacketContext;
import io.trawl.pipeline.decode.Protocol;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * Trisul's Packet: the current packet. Valid only during the callback that received it.
 *
 * <pre>
 * timestamp()        seconds, microseconds (packet time)
 * rawbytes()         a Buffer of the captured bytes
 * wire_length()      bytes on the wire;  capture_length()  bytes captured
 * num_layers()       decoded layers;     get_layer(i)      Layer i (0-based) or nil
 * find_layer(guid)   the first Layer of that protocol GUID, or nil
 * flowid()           the packet's FlowID, or nil
 * </pre>
 */
public final class PacketValue extends ScriptObject {
    private static final LuaTable METHODS = new LuaTable();
    private static final LuaTable META = metatable("Packet", METHODS);

    private final PacketSource source;
    private final long epoch;

    public PacketValue(final PacketSource source) {
        super(METHODS, META);
        this.source = source;
        this.epoch = source.scope().epoch();
    }

    @Override
    String typeName() {
        return "Packet";
    }

    private PacketContext packet(final String method) {
        final PacketContext ctx = source.currentPacket();
        if (ctx == null || !source.scope().isValid(epoch)) {
            throw new LuaError(method + ": the Packet is no longer valid (it is valid only during the callback that "
                + "received it)");
        }
        return ctx;
    }

    private abstract static class PacketMethod extends Method<PacketValue> {
        PacketMethod(final String name) {
            super(PacketValue.class, "Packet", name);
        }

        abstract Varargs invoke(PacketValue p, PacketContext ctx, Varargs args);

        @Override
        final Varargs invoke(final PacketValue p, final Varargs args) {
            return invoke(p, p.packet(qualified()), args);
        }
    }

    static {
        new PacketMethod("timestamp") {
            @Override
            Varargs invoke(final PacketValue p, final PacketContext ctx, final Varargs args) {
                final long nanos = ctx.timestampNanos();
                return LuaValue.varargsOf(LuaValue.valueOf((double) Math.floorDiv(nanos, 1_000_000_000L)),
                    LuaValue.valueOf((int) (Math.floorMod(nanos, 1_000_000_000L) / 1000)));
            }
        }.register(METHODS);
        new PacketMethod("rawbytes") {
            @Override
            Varargs invoke(final PacketValue p, final PacketContext ctx, final Varargs args) {
                final PacketView view = ctx.packet();
                return new BufferValue(view.memory(), view.offset(), view.captureLength(), p.source.scope());
            }
        }.register(METHODS);
        new PacketMethod("wire_length") {
            @Override
            Varargs invoke(final PacketValue p, final PacketContext ctx, final Varargs args) {
                return LuaValue.valueOf(ctx.packet().wireLength());
            }
        }.register(METHODS);
        new PacketMethod("capture_length") {
            @Override
            Varargs invoke(final PacketValue p, final PacketContext ctx, final Varargs args) {
                return LuaValue.valueOf(ctx.packet().captureLength());
            }
        }.register(METHODS);
        new PacketMethod("num_layers") {
            @Override
            Varargs invoke(final PacketValue p, final PacketContext ctx, final Varargs args) {
                return LuaValue.valueOf(ctx.decoded().layerCount());
            }
        }.register(METHODS);
        new PacketMethod("get_layer") {
            @Override
            Varargs invoke(final PacketValue p, final PacketContext ctx, final Varargs args) {
                final int index = integer(args.arg(2), 1, "index");
                return index >= 0 && index < ctx.decoded().layerCount() ? new LayerValue(p.source, index) : LuaValue.NIL;
            }
        }.register(METHODS);
        new PacketMethod("find_layer") {
            @Override
            Varargs invoke(final PacketValue p, final PacketContext ctx, final Varargs args) {
                final int protocol = Protocol.byGuid(string(args, 2, "guid").tojstring());
                final int index = protocol < 0 ? -1 : ctx.decoded().findLayer(protocol);
                return index < 0 ? LuaValue.NIL : new LayerValue(p.source, index);
            }
        }.register(METHODS);
        new PacketMethod("flowid") {
            @Override
            Varargs invoke(final PacketValue p, final PacketContext ctx, final Varargs args) {
                return ctx.flow() < 0 ? LuaValue.NIL : p.source.flowId(ctx.flow());
            }
        }.register(METHODS);
    }
}
