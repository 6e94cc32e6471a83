package io.trawl.pipeline.script.stream;

import io.trawl.pipeline.http.HttpHeader;
import io.trawl.pipeline.http.HttpListener;
import io.trawl.pipeline.http.HttpTransaction;
import io.trawl.pipeline.script.ScriptInstance;
import io.trawl.pipeline.script.ScriptStage;
import io.trawl.pipeline.script.ScriptType;
import io.trawl.pipeline.script.objects.FlowIdValue;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Drives the {@code reassembly_handler} script type on one pipeline.
 * <ul>
 *   <li>{@code filter(engine, ts, flowkey)} at each new TCP flow: an instance follows the flow unless its
 *       filter returns false or nil (no filter, or a filter that raised an error: it follows). The flow is
 *       reassembled when at least one instance follows it (unanimous veto); only followers get its
 *       callbacks.</li>
 *   <li>{@code onnewflow(engine, ts, flowkey)} right after, for the followers.</li>
 *   <li>{@code onpayload(engine, ts, flowkey, direction, seekpos, buffer)} for each in-order chunk;
 *       direction per {@link ScriptDirections#reassembly}, seekpos = stream offset of {@code buffer[0]}
 *       (0 = the first byte after the SYN). Holes (gaps) are skipped: the next chunk's seekpos jumps.</li>
 *   <li>{@code onattribute(engine, ts, flowkey, name, value)} with HTTP attributes found by the HTTP
 *       parser ({@link #httpAttributes}): {@code HTTP-Header} (the whole header block, start line and
 *       fields, of each request and each response), {@code URI}, {@code Host}, {@code User-Agent} (of
 *       requests) and {@code Content-Type} (of responses), each when present.</li>
 *   <li>{@code onterminateflow(engine, ts, flowkey)} once (see {@link FlowScripts}).</li>
 * </ul>
 *
 * <p>Threading: the pipeline thread.
 */
final class ReassemblyHandlers extends FlowScripts {
    private static final LuaString HTTP_HEADER = LuaString.valueOf("HTTP-Header");
    private static final LuaString HOST = LuaString.valueOf("Host");
    private static final LuaString URI = LuaString.valueOf("URI");
    private static final LuaString USER_AGENT = LuaString.valueOf("User-Agent");
    private static final LuaString CONTENT_TYPE = LuaString.valueOf("Content-Type");

    private final LuaValue[] filter;
    private final LuaValue[] onnewflow;
    private final LuaValue[] onpayload;
    private final LuaValue[] onattribute;
    private final long newflowMask;
    private final long payloadMask;
    private final long attributeMask;

    ReassemblyHandlers(final ScriptStage stage) {
        super(stage, ScriptType.REASSEMBLY_HANDLER);
        filter = callbacks("filter");
        onnewflow = callbacks("onnewflow");
        onpayload = callbacks("onpayload");
        onattribute = callbacks("onattribute");
        newflowMask = maskOf(onnewflow);
        payloadMask = maskOf(onpayload);
        attributeMask = maskOf(onattribute);
    }

    /** True when some instance has {@code onattribute} (the HTTP parser is then needed). */
    boolean wantsHttpAttributes() {
        return attributeMask != 0;
    }

    @Override
    long admit(final int flow, final long timestampNanos) {
        final LuaValue ts = seconds(timestampNanos);
        final FlowIdValue id = stage.flowId(flow);
        long mask = 0;
        for (int i = 0; i < scripts.length; i++) {
            final ScriptInstance script = scripts[i];
            if (filter[i].isnil()
                || accepted(script.invoke("reassembly_handler.filter", filter[i], LuaValue.varargsOf(script.engine(), ts, id)))) {
                mask |= 1L << i;
            }
        }
        for (long m = mask & newflowMask; m != 0; m &= m - 1) {
            final int i = Long.numberOfTrailingZeros(m);
            scripts[i].invoke("reassembly_handler.onnewflow", onnewflow[i], LuaValue.varargsOf(scripts[i].engine(), ts, id));
        }
        return mask;
    }

    @Override
    public void onData(final int flow, final boolean fromClient, final long streamOffset, final MemorySegment memory,
                       final long memoryOffset, final int length, final long timestampNanos) {
        final long mask = following[flow] & payloadMask;
        if (mask == 0) {
            return;
        }
        final LuaValue ts = seconds(timestampNanos);
        final FlowIdValue id = stage.flowId(flow);
        final LuaValue direction = ScriptDirections.reassembly(fromClient);
        final LuaValue seekpos = LuaValue.valueOf((double) streamOffset);
        for (long m = mask; m != 0; m &= m - 1) {
            final int i = Long.numberOfTrailingZeros(m);
            // a Buffer per call: it expires when the callback that received it returns
            scripts[i].invoke("reassembly_handler.onpayload", onpayload[i], LuaValue.varargsOf(new LuaValue[] {
                scripts[i].engine(), ts, id, direction, seekpos, stage.newBuffer(memory, memoryOffset, length)}));
        }
    }

    /** The HTTP listener that turns parsed headers into {@code onattribute} calls for the flow's followers. */
    HttpListener httpAttributes() {
        return new HttpListener() {
            @Override
            public boolean wantsFlow(final io.trawl.pipeline.flow.FlowTable table, final int flow, final long timestampNanos) {
                return (following[flow] & attributeMask) != 0;
            }

            @Override
            public void onRequest(final int flow, final HttpTransaction transaction, final long timestampNanos) {
                final HttpHeader header = transaction.request();
                if ((following[flow] & attributeMask) == 0 || header == null) {
                    return;
                }
                attribute(flow, timestampNanos, HTTP_HEADER, header.text());
                attribute(flow, timestampNanos, URI, header.uri());
                attribute(flow, timestampNanos, HOST, header.value("Host"));
                attribute(flow, timestampNanos, USER_AGENT, header.value("User-Agent"));
            }

            @Override
            public void onResponse(final int flow, final HttpTransaction transaction, final long timestampNanos) {
                final HttpHeader header = transaction.response();
                if ((following[flow] & attributeMask) == 0 || header == null) {
                    return;
                }
                attribute(flow, timestampNanos, HTTP_HEADER, header.text());
                attribute(flow, timestampNanos, CONTENT_TYPE, header.value("Content-Type"));
            }
        };
    }

    private void attribute(final int flow, final long timestampNanos, final LuaString name, final String value) {
        if (value == null) {
            return;
        }
        final LuaValue ts = seconds(timestampNanos);
        final FlowIdValue id = stage.flowId(flow);
        final LuaString text = LuaString.valueUsing(value.getBytes(StandardCharsets.ISO_8859_1));
        for (long m = following[flow] & attributeMask; m != 0; m &= m - 1) {
            final int i = Long.numberOfTrailingZeros(m);
            final Varargs args = LuaValue.varargsOf(new LuaValue[] {scripts[i].engine(), ts, id, name, text});
            scripts[i].invoke("reassembly_handler.onattribute", onattribute[i], args);
        }
    }
}
