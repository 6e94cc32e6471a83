package io.trawl.pipeline.script.stream;

import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.PacketContext;
import io.trawl.pipeline.Pipeline;
import io.trawl.pipeline.PipelineStage;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.filex.FileCounters;
import io.trawl.pipeline.filex.HttpFileExtractor;
import io.trawl.pipeline.filex.StagedFiles;
import io.trawl.pipeline.http.HttpListener;
import io.trawl.pipeline.http.HttpStreamConsumer;
import io.trawl.pipeline.reassembly.ReassemblyStage;
import io.trawl.pipeline.reassembly.StreamConsumer;
import io.trawl.pipeline.script.ScriptHost;
import io.trawl.pipeline.script.ScriptStage;
import io.trawl.pipeline.script.ScriptStageFactory;
import io.trawl.pipeline.script.ScriptType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stream side of the Lua scripts: TCP reassembly, HTTP parsing and file extraction, installed only
 * when a loaded script needs them ({@link #forScripts}), and the glue that drives the
 * {@code reassembly_handler}, {@code filex_monitor} and {@code packet_storage.filter_payload} callbacks.
 *
 * <p>Per pipeline, the reassembly stage's consumers are, in this order: the {@code reassembly_handler}
 * instances ({@link ReassemblyHandlers}), {@code filter_payload} ({@link PayloadStorageFilters}), the
 * {@code filex_monitor} instances ({@link FilexMonitors}), and the HTTP parser when some script needs
 * HTTP (filex_monitor, or onattribute), whose listeners are the HTTP attributes then filex. A script's
 * {@code engine:disable_reassembly} stops the flow's reassembly for everyone at once
 * ({@link ReassemblyStage.Hooks#stopRequested}); reassembly callbacks see the packet that completed the
 * chunk as the current packet.
 *
 * <p><b>File mode</b> (a loaded script defines {@code filex_monitor.onfile_http}): response bodies are
 * staged in {@code filex.ramfs_dir} by an {@link HttpFileExtractor} per pipeline and released to the run's
 * {@link StagedFiles} (AutoDelete). Otherwise <b>streaming mode</b>: bodies reach scripts only through
 * {@code onpayload_http}, nothing is written.
 *
 * <p>summary.json gains {@code reassembly} (the reassembler's counters), {@code files} ({@code mode},
 * {@code extracted}, {@code partial}, {@code bytes}, {@code files_reported}, {@code write_errors},
 * {@code deleted}, {@code delete_failures}, {@code still_staged}) and {@code http} ({@code transactions}).
 *
 * <p>Threading: built and asked for stages on the main thread; the stages run on their pipelines.
 */
public final class ScriptStreams implements PipelineStageFactory {
    private final ScriptStageFactory scripts;
    private final StagedFiles staged;
    private final boolean fileMode;
    private final ReassemblyStage.Factory reassembly;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private final List<FilexMonitors> filex = new ArrayList<>();
    private final List<HttpStreamConsumer> parsers = new ArrayList<>();

    private ScriptStreams(final ScriptStageFactory scripts, final StagedFiles staged, final boolean fileMode) {
        this.scripts = scripts;
        this.staged = staged;
        this.fileMode = fileMode;
        this.reassembly = new ReassemblyStage.Factory(this::consumers, this::hooks);
    }

    /**
     * The stream layer for the loaded scripts, or null when none needs it (no {@code reassembly_handler},
     * no {@code filex_monitor}, no {@code packet_storage.filter_payload}).
     *
     * @param staged the run's AutoDelete registry (shared with T.async)
     */
    public static ScriptStreams forScripts(final ScriptStageFactory scripts, final StagedFiles staged) {
        final ScriptHost host = scripts.host();
        final boolean needed = host.anyScriptDefines(ScriptType.REASSEMBLY_HANDLER, null)
            || host.anyScriptDefines(ScriptType.FILEX_MONITOR, null)
            || host.anyScriptDefines(ScriptType.PACKET_STORAGE, "filter_payload");
        if (!needed) {
            return null;
        }
        return new ScriptStreams(scripts, staged, host.anyScriptDefines(ScriptType.FILEX_MONITOR, "onfile_http"));
    }

    /** True in file mode (a script defines {@code onfile_http}). */
    public boolean isFileMode() {
        return fileMode;
    }

    /** The reassembly stages, by pipeline (for tests and diagnostics). */
    public List<ReassemblyStage> stages() {
        return reassembly.stages();
    }

    private ScriptStage scriptStage(final Pipeline pipeline) {
        for (final ScriptStage stage : scripts.stages()) {
            if (stage.pipeline() == pipeline) {
                return stage;
            }
        }
        throw new IllegalStateException("pipeline " + pipeline.index() + " has no script stage: the script stage factory "
            + "must come before the stream layer");
    }

    private List<StreamConsumer> consumers(final Pipeline pipeline) {
        final ScriptStage stage = scriptStage(pipeline);
        final List<StreamConsumer> consumers = new ArrayList<>();
        final List<HttpListener> http = new ArrayList<>();
        final ReassemblyHandlers handlers = new ReassemblyHandlers(stage);
        if (handlers.scripts.length > 0) {
            consumers.add(handlers);
            if (handlers.wantsHttpAttributes()) {
                http.add(handlers.httpAttributes());
            }
        }
        final PayloadStorageFilters storage = new PayloadStorageFilters(stage);
        if (storage.isNeeded()) {
            consumers.add(storage);
        }
        if (!FlowScripts.enabled(stage, ScriptType.FILEX_MONITOR).isEmpty()) {
            final Path directory = pipeline.configuration().get(TrawlSettings.FILEX_RAMFS_DIR);
            final long chunk = pipeline.configuration().get(TrawlSettings.FILEX_CHUNK_SIZE_MB) * (1L << 20);
            final FilexMonitors monitors = new FilexMonitors(stage, fileMode ? staged : null, directory, chunk,
                runId + "-p" + pipeline.index());
            consumers.add(monitors);
            http.add(monitors.http());
            synchronized (filex) {
                filex.add(monitors);
            }
        }
        if (!http.isEmpty()) {
            final HttpStreamConsumer parser = new HttpStreamConsumer(pipeline.flows().capacity(), http);
            consumers.add(parser);
            synchronized (parsers) {
                parsers.add(parser);
            }
        }
        return consumers;
    }

    private ReassemblyStage.Hooks hooks(final Pipeline pipeline) {
        final ScriptStage stage = scriptStage(pipeline);
        return new ReassemblyStage.Hooks() {
            @Override
            public boolean stopRequested(final int flow) {
                return stage.isReassemblyDisabled(flow);
            }

            @Override
            public void packetStart(final PacketContext packet) {
                stage.currentPacket(packet);
            }

            @Override
            public void packetEnd() {
                stage.currentPacket(null);
            }
        };
    }

    @Override
    public PipelineStage create(final Pipeline pipeline) {
        return reassembly.create(pipeline);
    }

    @Override
    public void close() {
        staged.close();
    }

    @Override
    public void contributeSummary(final Map<String, Object> summary) {
        staged.awaitDeletions(); // the pipelines (and T.async) released everything: the counts are final
        reassembly.contributeSummary(summary);
        final FileCounters counters = new FileCounters();
        for (final FilexMonitors monitors : filex) {
            final HttpFileExtractor extractor = monitors.extractor();
            if (extractor != null) {
                counters.add(extractor.counters());
            }
        }
        final Map<String, Object> files = new LinkedHashMap<>();
        files.put("mode", fileMode ? "file" : "streaming");
        files.putAll(counters.toMap());
        files.put("deleted", staged.deleted());
        files.put("delete_failures", staged.deleteFailures());
        files.put("still_staged", staged.size());
        summary.put("files", files);
        long transactions = 0;
        for (final HttpStreamConsumer parser : parsers) {
            transactions += parser.transactions();
        }
        summary.put("http", Map.of("transactions", transactions));
    }
}
