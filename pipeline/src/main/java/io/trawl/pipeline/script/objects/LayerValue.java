package io.trawl.pipeline.script.objects;

import io.trawl.capture.PacketView;
import io.trawl.pipeline.PacketContext;
import io.trawl.pipeline.decode.DecodedPacket;
import io.trawl.pipeline.decode.Protocol;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * Trisul's Layer: one decoded layer of the current packet, from its first byte to the end of the packet.
 * Valid only during the callback that received it.
 *
 * <pre>
 * layer_bytes()   bytes of this layer's own header (up to the next decoded layer, or to the payload)
 * total_bytes()   bytes from the start of this layer to the end of the captured packet
 * rawbytes()      a Buffer of those total_bytes() bytes
 * protocol_id()   the layer's protocol GUID
 * testbit(n)      bit n of the layer, counted MSB-first from its first byte (TCP RST is bit 109)
 * getbyte(off)    the byte at off (0-based, within the layer)
 * packet()        the Packet
 * flowkey()       the packet's FlowID, or nil
 * </pre>
 */
public final class LayerValue extends ScriptObject {
    private static final LuaTable METHODS = new LuaTable();
    private static final LuaTable META = metatable("Layer", METHODS);
    private static final LuaValue[] GUIDS = new LuaValue[Protocol.COUNT];

    private final PacketSource source;
    private final long epoch;
    private final int index;

    /** Layer {@code index} (0 = outermost) of the current packet. */
    public LayerValue(final PacketSource source, final int index) {
        super(METHODS, META);
        this.source = source;
        this.epoch = source.scope().epoch();
        this.index = index;
    }

    @Override
    String typeName() {
        return "Layer";
    }

    private PacketContext packet(final String method) {
        final PacketContext ctx = source.currentPacket();
        if (ctx == null || !source.scope().isValid(epoch)) {
            throw new LuaError(method + ": the Layer is no longer valid (it is valid only during the callback that "
                + "received it)");
        }
        return ctx;
    }

    private static int start(final PacketContext ctx, final int index) {
        return ctx.decoded().layerOffset(index);
    }

    private static int end(final PacketContext ctx) {
        return ctx.packet().captureLength();
    }

    private abstract static class LayerMethod extends Method.Getter<LayerValue> {
        LayerMethod(final String name) {
            super(LayerValue.class, "Layer", name);
        }

        abstract LuaValue get(LayerValue layer, PacketContext ctx);

        @Override
        final LuaValue get(final LayerValue layer) {
            return get(layer, layer.packet(qualified()));
        }
    }

    private abstract static class LayerUnary extends Method.Unary<LayerValue> {
        LayerUnary(final String name) {
            super(LayerValue.class, "Layer", name);
        }
    }

    static {
        for (int p = 0; p < Protocol.COUNT; p++) {
            GUIDS[p] = LuaValue.valueOf(Protocol.guid(p));
        }
        new LayerMethod("layer_bytes") {
            @Override
            LuaValue get(final LayerValue layer, final PacketContext ctx) {
                final DecodedPacket d = ctx.decoded();
                final int from = start(ctx, layer.index);
                // the last layer: its header ends where the payload starts (padding is not the layer's)
                final int to = layer.index + 1 < d.layerCount() ? d.layerOffset(layer.index + 1)
                    : d.payloadOffset() > from ? Math.min(d.payloadOffset(), end(ctx)) : end(ctx);
                return LuaValue.valueOf(Math.max(0, to - from));
            }
        }.register(METHODS);
        new LayerMethod("total_bytes") {
            @Override
            LuaValue get(final LayerValue layer, final PacketContext ctx) {
                return LuaValue.valueOf(Math.max(0, end(ctx) - start(ctx, layer.index)));
            }
        }.register(METHODS);
        new LayerMethod("rawbytes") {
            @Override
            LuaValue get(final LayerValue layer, final PacketContext ctx) {
                final PacketView p = ctx.packet();
                final int from = start(ctx, layer.index);
                return new BufferValue(p.memory(), p.offset() + from, Math.max(0, end(ctx) - from), layer.source.scope());
            }
        }.register(METHODS);
        new LayerMethod("protocol_id") {
            @Override
            LuaValue get(final LayerValue layer, final PacketContext ctx) {
                return GUIDS[ctx.decoded().layerProtocol(layer.index)];
            }
        }.register(METHODS);
        new LayerMethod("packet") {
            @Override
            LuaValue get(final LayerValue layer, final PacketContext ctx) {
                return new PacketValue(layer.source);
            }
        }.register(METHODS);
        new LayerMethod("flowkey") {
            @Override
            LuaValue get(final LayerValue layer, final PacketContext ctx) {
                return ctx.flow() < 0 ? LuaValue.NIL : layer.source.flowId(ctx.flow());
            }
        }.register(METHODS);
        new LayerUnary("testbit") {
            @Override
            LuaValue apply(final LayerValue layer, final LuaValue argument) {
                final PacketContext ctx = layer.packet(qualified());
                final int bit = integer(argument, 1, "bit");
                final int from = start(ctx, layer.index);
                final int total = end(ctx) - from;
                if (bit < 0 || (bit >>> 3) >= total) {
                    throw new LuaError(qualified() + ": bit " + bit + " is outside the layer (" + total + " bytes)");
                }
                final int b = ctx.packet().u8(from + (bit >>> 3));
                return LuaValue.valueOf((b & (0x80 >>> (bit & 7))) != 0);
            }
        }.register(METHODS);
        new LayerUnary("getbyte") {
            @Override
            LuaValue apply(final LayerValue layer, final LuaValue argument) {
                final PacketContext ctx = layer.packet(qualified());
                final int off = integer(argument, 1, "offset");
                final int from = start(ctx, layer.index);
                final int total = end(ctx) - from;
                if (off < 0 || off >= total) {
                    throw new LuaError(qualified() + ": offset " + off + " is outside the layer (" + total + " bytes)");
                }
                return LuaValue.valueOf(ctx.packet().u8(from + off));
            }
        }.register(METHODS);
    }

}
