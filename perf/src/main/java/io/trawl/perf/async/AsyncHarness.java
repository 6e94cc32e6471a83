package io.trawl.perf.async;

import io.trawl.async.AsyncService;
import io.trawl.async.lua.AsyncLuaExtension;
import io.trawl.async.pipeline.CompletionStage;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.PipelineHarness;
import io.trawl.pipeline.PipelineStage;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.filex.StagedFiles;
import io.trawl.pipeline.script.ScriptStage;
import io.trawl.pipeline.script.ScriptStageFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One pipeline (driven by the calling thread) with a script and T.async running on real worker threads:
 * the benchmark thread plays the pipeline, calling {@link #onPacket} and {@link #drain()} as a pipeline's
 * duty cycle would.
 */
final class AsyncHarness implements AutoCloseable {
    final PipelineHarness pipeline;
    final AsyncService async;
    final CompletionStage completions;
    final ScriptStage scripts;

    AsyncHarness(final Path directory, final String script, final String idle) throws IOException {
        Files.createDirectories(directory);
        final Path file = directory.resolve("bench.lua");
        Files.writeString(file, script);
        final TrawlContext context = new TrawlContext();
        context.set(TrawlSettings.OUT, directory.resolve("out"), "bench");
        context.set(TrawlSettings.SCRIPTS, List.of(file), "bench");
        context.set(TrawlSettings.FLOW_LOG, false, "bench");
        context.set(TrawlSettings.FLOW_MAX, 1024, "bench");
        context.setRaw(TrawlSettings.ASYNC_IDLE, idle, "bench");
        context.setRaw(TrawlSettings.ASYNC_QUEUE_JOBS, 1 << 20, "bench");
        context.setRaw(TrawlSettings.ASYNC_QUEUE_BYTES, "1g", "bench");
        context.conclude();
        final AsyncLuaExtension extension = new AsyncLuaExtension();
        final ScriptStageFactory factory = new ScriptStageFactory(context, QUIET, List.of(extension));
        async = extension.start(context, factory.host(), new StagedFiles(), QUIET);
        pipeline = new PipelineHarness(context);
        scripts = (ScriptStage) factory.create(pipeline.pipeline());
        pipeline.pipeline().addStage(scripts);
        final PipelineStage stage = async.create(pipeline.pipeline());
        pipeline.pipeline().addStage(stage);
        completions = (CompletionStage) stage;
        async.start();
    }

    /** One packet through the pipeline (decode, flow, scripts). */
    void onPacket(final io.trawl.capture.PacketView packet) {
        pipeline.onPacket(packet);
    }

    /** The pipeline's between-batches duty: deliver completions. */
    int drain() {
        return completions.doDuty(System.nanoTime());
    }

    /** Delivers completions until nothing is outstanding. */
    void drainAll() {
        while (!completions.isDrained()) {
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        drainAll();
        async.close();
        pipeline.close();
    }

    /**
     * A started T.async service without Lua: one script ("bench") with one worker running Java
     * {@code Callable}s, output in {@code out}, with {@code settings} (raw values) on top of the defaults.
     */
    static AsyncService javaService(final Path out, final Map<io.trawl.config.Setting<?>, Object> settings) {
        final TrawlContext context = new TrawlContext();
        context.set(TrawlSettings.OUT, out, "bench");
        settings.forEach((setting, value) -> context.setRaw(setting, value, "bench"));
        context.conclude();
        final AsyncService service = new AsyncService(context, List.of(new AsyncService.ScriptSpec("bench", 1)),
            (script, worker) -> new io.trawl.async.exec.CallableTaskRunner(), new StagedFiles(), QUIET);
        service.start();
        return service;
    }

    static final RunConsole QUIET = new RunConsole() {
        @Override
        public void info(final String line) {
        }

        @Override
        public void warn(final String line) {
            System.err.println(line);
        }

        @Override
        public void scriptOutput(final String line) {
        }
    };
}
