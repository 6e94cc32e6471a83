package io.trawl.pipeline.script.stream;

import io.trawl.pipeline.filex.HttpFileExtractor;
import io.trawl.pipeline.filex.StagedFiles;
import io.trawl.pipeline.filex.StagingNames;
import io.trawl.pipeline.flow.FlowTable;
import io.trawl.pipeline.http.HttpHeader;
import io.trawl.pipeline.http.HttpListener;
import io.trawl.pipeline.http.HttpTransaction;
import io.trawl.pipeline.script.ScriptInstance;
import io.trawl.pipeline.script.ScriptStage;
import io.trawl.pipeline.script.ScriptType;
import io.trawl.pipeline.script.objects.FlowIdValue;
import io.trawl.pipeline.script.objects.HttpHeaderValue;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Drives the {@code filex_monitor} script type (HTTP file extraction) on one pipeline.
 * <ul>
 *   <li>{@code filter_flow(engine, ts, flowkey)} at each new TCP flow: an instance follows the flow unless
 *       it returns false or nil (missing, or raising an error: it follows).</li>
 *   <li>{@code onpayload_raw(engine, ts, flowkey, direction, seekpos, buffer)}: the reassembled bytes of
 *       both directions, direction per {@link ScriptDirections#filex}.</li>
 *   <li>{@code filter(engine, ts, flowkey, header)} with the request's {@code HTTPHeader}, then with the
 *       response's: false or nil stops that transaction for that instance. A response whose request was
 *       not seen (connection picked up midstream) gets only the response filter. When no instance follows
 *       a transaction any more, its body is not staged.</li>
 *   <li>{@code onpayload_http(engine, ts, flowkey, path, req_header, resp_header, direction, seekpos,
 *       buffer)}: the decoded (de-chunked, decompressed) response body in chunks, direction
 *       {@link ScriptDirections#FILEX_SERVER_TO_CLIENT}, seekpos = offset in the decoded body, then a
 *       0-length buffer (seekpos = body length) at its end, also for responses without a body.
 *       {@code path} names the body: in file mode its staging path, in streaming mode the name it would
 *       have there (nothing is written); {@code req_header} is nil when the request was not seen.</li>
 *   <li>{@code onfile_http(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)} in
 *       file mode, for each staged file ({@link HttpFileExtractor}: whole bodies, or parts
 *       {@code <path>.<offset>.part} with {@code is_partial = true}; bodies cut short are partial too).
 *       The file exists during the call; AutoDelete removes it after every instance saw it, unless
 *       something retained it ({@link io.trawl.pipeline.filex.StagedFiles}).</li>
 *   <li>{@code onterminateflow(engine, ts, flowkey)} once (see {@link FlowScripts}).</li>
 * </ul>
 * The HTTP callbacks come through {@link #http()}, an {@link HttpListener} to register with the
 * pipeline's HTTP parser; this class must be asked about a new flow before the parser is (it decides
 * which instances follow the flow).
 *
 * <p>Threading: the pipeline thread.
 */
final class FilexMonitors extends FlowScripts {
    private final LuaValue[] filterFlow;
    private final LuaValue[] filter;
    private final LuaValue[] onpayloadRaw;
    private final LuaValue[] onpayloadHttp;
    private final LuaValue[] onfileHttp;
    private final long rawMask;
    private final long filterMask;
    private final long bodyMask;
    private final long fileMask;
    private final HttpFileExtractor extractor;
    private final Path stagingDirectory;
    private final String uniquePrefix;
    private final CurrentBody[] bodies;
    private long streamingSequence;

    /** The response a flow is receiving now, with what scripts get for it. */
    private static final class CurrentBody {
        HttpTransaction transaction;
        LuaValue path;
        LuaValue request;
        LuaValue response;
    }

    /**
     * @param staged           AutoDelete of the run in file mode (bodies are then staged), or null for
     *                         streaming mode
     * @param stagingDirectory where bodies are (or, in streaming mode, would be) staged
     * @param chunkBytes       part size in file mode
     * @param uniquePrefix     makes body names unique across pipelines and runs
     */
    FilexMonitors(final ScriptStage stage, final StagedFiles staged, final Path stagingDirectory, final long chunkBytes,
                  final String uniquePrefix) {
        super(stage, ScriptType.FILEX_MONITOR);
        this.extractor = staged == null ? null
            : new HttpFileExtractor(stagingDirectory, chunkBytes, staged, this::onFile, uniquePrefix,
                HttpFileExtractor.DEFAULT_MAX_BUFFERS,
                HttpFileExtractor.openFileBudget(stage.pipeline().configuration().pipelines()));
        this.stagingDirectory = stagingDirectory;
        this.uniquePrefix = uniquePrefix;
        filterFlow = callbacks("filter_flow");
        filter = callbacks("filter");
        onpayloadRaw = callbacks("onpayload_raw");
        onpayloadHttp = callbacks("onpayload_http");
        onfileHttp = callbacks("onfile_http");
        rawMask = maskOf(onpayloadRaw);
        filterMask = maskOf(filter);
        bodyMask = maskOf(onpayloadHttp);
        fileMask = maskOf(onfileHttp);
        bodies = new CurrentBody[flows.capacity()];
    }

    /** The file extractor (file mode), or null (streaming mode). */
    HttpFileExtractor extractor() {
        return extractor;
    }

    @Override
    public void close() {
        if (extractor != null) {
            extractor.close();
        }
    }

    @Override
    long admit(final int flow, final long timestampNanos) {
        final LuaValue ts = seconds(timestampNanos);
        final FlowIdValue id = stage.flowId(flow);
        long mask = 0;
        for (int i = 0; i < scripts.length; i++) {
            final ScriptInstance script = scripts[i];
            if (filterFlow[i].isnil() || accepted(script.invoke("filex_monitor.filter_flow", filterFlow[i],
                LuaValue.varargsOf(script.engine(), ts, id)))) {
                mask |= 1L << i;
            }
        }
        final CurrentBody body = bodies[flow];
        if (body != null) {
            clear(body);
        }
        return mask;
    }

    private static void clear(final CurrentBody body) {
        body.transaction = null;
        body.path = null;
        body.request = null;
        body.response = null;
    }

    @Override
    public void onData(final int flow, final boolean fromClient, final long streamOffset, final MemorySegment memory,
                       final long memoryOffset, final int length, final long timestampNanos) {
        final long mask = following[flow] & rawMask;
        if (mask == 0) {
            return;
        }
        final LuaValue ts = seconds(timestampNanos);
        final FlowIdValue id = stage.flowId(flow);
        final LuaValue direction = ScriptDirections.filex(fromClient);
        final LuaValue seekpos = LuaValue.valueOf((double) streamOffset);
        for (long m = mask; m != 0; m &= m - 1) {
            final int i = Long.numberOfTrailingZeros(m);
            scripts[i].invoke("filex_monitor.onpayload_raw", onpayloadRaw[i], LuaValue.varargsOf(new LuaValue[] {
                scripts[i].engine(), ts, id, direction, seekpos, stage.newBuffer(memory, memoryOffset, length)}));
        }
    }

    /** Calls the filters of the instances in {@code mask} with {@code header}; returns those that said yes. */
    private long filter(final int flow, final long mask, final HttpHeaderValue header, final long timestampNanos) {
        long kept = mask;
        final long asked = mask & filterMask;
        if (asked == 0) {
            return kept;
        }
        final LuaValue ts = seconds(timestampNanos);
        final FlowIdValue id = stage.flowId(flow);
        for (long m = asked; m != 0; m &= m - 1) {
            final int i = Long.numberOfTrailingZeros(m);
            if (!accepted(scripts[i].invoke("filex_monitor.filter", filter[i],
                LuaValue.varargsOf(new LuaValue[] {scripts[i].engine(), ts, id, header})))) {
                kept &= ~(1L << i);
            }
        }
        return kept;
    }

    private static LuaValue latin1(final String text) {
        return LuaString.valueUsing(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The HTTP listener for the parser of this pipeline. */
    HttpListener http() {
        return new HttpListener() {
            @Override
            public boolean wantsFlow(final FlowTable table, final int flow, final long timestampNanos) {
                return following[flow] != 0;
            }

            @Override
            public void onRequest(final int flow, final HttpTransaction transaction, final long timestampNanos) {
                final long mask = following[flow];
                if (mask == 0) {
                    return;
                }
                transaction.followers = filter(flow, mask, new HttpHeaderValue(transaction.request()), timestampNanos);
            }

            @Override
            public void onResponse(final int flow, final HttpTransaction transaction, final long timestampNanos) {
                final long flowMask = following[flow];
                if (flowMask == 0) {
                    return;
                }
                final HttpHeader request = transaction.request();
                final HttpHeaderValue response = new HttpHeaderValue(transaction.response());
                final long mask = filter(flow, request != null ? transaction.followers & flowMask : flowMask, response,
                    timestampNanos);
                transaction.followers = mask;
                if (mask == 0) {
                    transaction.ignored = true;
                    return;
                }
                CurrentBody body = bodies[flow];
                if (body == null) {
                    body = new CurrentBody();
                    bodies[flow] = body;
                }
                body.transaction = transaction;
                body.request = request == null ? LuaValue.NIL : new HttpHeaderValue(request);
                body.response = response;
                Path path = null;
                if (extractor != null) {
                    extractor.onResponse(flow, transaction, timestampNanos);
                    path = HttpFileExtractor.stagingPath(transaction);
                }
                if (path == null) {
                    path = StagingNames.path(stagingDirectory, transaction.host(), request == null ? "" : request.uri(),
                        uniquePrefix + "-s" + (++streamingSequence));
                }
                body.path = latin1(path.toString());
            }

            @Override
            public void onBody(final int flow, final HttpTransaction transaction, final long offset, final MemorySegment memory,
                               final long memoryOffset, final int length, final long timestampNanos) {
                if (transaction.ignored || transaction.followers == 0) {
                    return;
                }
                if (extractor != null) {
                    extractor.onBody(flow, transaction, offset, memory, memoryOffset, length, timestampNanos);
                }
                payload(flow, transaction, offset, memory, memoryOffset, length, timestampNanos);
            }

            @Override
            public void onBodyEnd(final int flow, final HttpTransaction transaction, final long timestampNanos) {
                if (transaction.ignored || transaction.followers == 0) {
                    return;
                }
                payload(flow, transaction, transaction.bodyLength(), MemorySegment.NULL, 0, 0, timestampNanos);
                if (extractor != null) {
                    extractor.onBodyEnd(flow, transaction, timestampNanos); // -> onFile, then AutoDelete
                }
                final CurrentBody body = bodies[flow];
                if (body != null && body.transaction == transaction) {
                    clear(body);
                }
            }
        };
    }

    private void payload(final int flow, final HttpTransaction transaction, final long offset, final MemorySegment memory,
                         final long memoryOffset, final int length, final long timestampNanos) {
        final long mask = transaction.followers & bodyMask;
        final CurrentBody body = bodies[flow];
        if (mask == 0 || body == null || body.transaction != transaction) {
            return;
        }
        final LuaValue ts = seconds(timestampNanos);
        final FlowIdValue id = stage.flowId(flow);
        final LuaValue direction = LuaValue.valueOf(ScriptDirections.FILEX_SERVER_TO_CLIENT);
        final LuaValue seekpos = LuaValue.valueOf((double) offset);
        for (long m = mask; m != 0; m &= m - 1) {
            final int i = Long.numberOfTrailingZeros(m);
            scripts[i].invoke("filex_monitor.onpayload_http", onpayloadHttp[i], LuaValue.varargsOf(new LuaValue[] {
                scripts[i].engine(), ts, id, body.path, body.request, body.response, direction, seekpos,
                stage.newBuffer(memory, memoryOffset, length)}));
        }
    }

    /** A staged file is ready (file mode): {@code onfile_http} for the transaction's followers. */
    void onFile(final int flow, final HttpTransaction transaction, final Path path, final long length, final boolean partial,
                final long timestampNanos) {
        final long mask = transaction.followers & fileMask;
        if (mask == 0) {
            return;
        }
        final CurrentBody body = bodies[flow];
        final boolean current = body != null && body.transaction == transaction;
        final LuaValue request = current ? body.request
            : transaction.request() == null ? LuaValue.NIL : new HttpHeaderValue(transaction.request());
        final LuaValue response = current ? body.response : new HttpHeaderValue(transaction.response());
        final LuaValue ts = seconds(timestampNanos);
        final FlowIdValue id = stage.flowId(flow);
        final LuaValue file = latin1(path.toString());
        final LuaValue size = LuaValue.valueOf((double) length);
        final LuaValue isPartial = LuaValue.valueOf(partial);
        for (long m = mask; m != 0; m &= m - 1) {
            final int i = Long.numberOfTrailingZeros(m);
            final Varargs args = LuaValue.varargsOf(new LuaValue[] {scripts[i].engine(), ts, id, file, request, response,
                size, isPartial});
            scripts[i].invoke("filex_monitor.onfile_http", onfileHttp[i], args);
        }
    }
}
