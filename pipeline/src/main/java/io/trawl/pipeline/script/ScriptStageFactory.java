package io.trawl.pipeline.script;

import io.trawl.config.TrawlContext;
import io.trawl.pipeline.Pipeline;
import io.trawl.pipeline.PipelineStage;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.script.output.RotatingPcapWriter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Lua script layer of a run. Construction loads and checks every script ({@link ScriptHost#load}):
 * a bad one stops the run with a {@link io.trawl.config.ConfigException} (exit code 2) before any packet
 * is read, unless {@code lua.skip_bad}. Each pipeline then gets a {@link ScriptStage} with its own
 * instance of every script. At the end, {@code summary.json} gains
 * {@code scripts: {<name>: {loaded, disabled, errors, calls, ...}}} and {@code script_outputs}.
 *
 * <p>Threading: constructed and used by the main thread (stages run on their pipelines).
 */
public final class ScriptStageFactory implements PipelineStageFactory {
    private final ScriptHost host;
    private final List<ScriptStage> stages = new ArrayList<>();
    private ScriptRunOutputs outputs;

    /** Loads the context's scripts (the context must be concluded). */
    public ScriptStageFactory(final TrawlContext context, final RunConsole console, final List<ScriptExtension> extensions) {
        this.host = ScriptHost.load(context, console, extensions);
    }

    /** The host (for extensions that need worker states). */
    public ScriptHost host() {
        return host;
    }

    @Override
    public PipelineStage create(final Pipeline pipeline) {
        if (outputs == null) {
            outputs = new ScriptRunOutputs(host, host.context().pipelines());
        }
        final ScriptStage stage = new ScriptStage(host, outputs, pipeline);
        stages.add(stage);
        return stage;
    }

    /** The stages made so far, by pipeline. */
    public List<ScriptStage> stages() {
        return List.copyOf(stages);
    }

    @Override
    public void contributeSummary(final Map<String, Object> summary) {
        final Map<String, Object> scripts = new LinkedHashMap<>();
        for (final ScriptSource source : host.sources()) {
            final Map<String, Object> entry = new LinkedHashMap<>();
            long calls = 0;
            long errors = 0;
            long runaways = 0;
            int instances = 0;
            int disabled = 0;
            final TreeSet<String> reasons = new TreeSet<>();
            final TreeSet<String> types = new TreeSet<>();
            String id = null;
            for (final ScriptStage stage : stages) {
                for (final ScriptInstance instance : stage.instances()) {
                    if (!instance.source().name().equals(source.name())) {
                        continue;
                    }
                    instances++;
                    calls += instance.calls();
                    errors += instance.errorCount();
                    runaways += instance.runaways();
                    types.addAll(instance.describeTypes().keySet());
                    id = instance.plugin().get("id").get("name").tojstring();
                    if (instance.isDisabled()) {
                        disabled++;
                        reasons.add(instance.disabledReason());
                    }
                }
            }
            entry.put("loaded", instances > 0);
            entry.put("disabled", instances > 0 && disabled == instances);
            if (!reasons.isEmpty()) {
                entry.put("disabled_reason", String.join("; ", reasons));
            }
            entry.put("errors", errors);
            entry.put("calls", calls);
            entry.put("runaways", runaways);
            entry.put("file", source.path().toString());
            entry.put("id", id);
            entry.put("types", List.copyOf(types));
            entry.put("instances", instances);
            entry.put("engine", source.chunk().isCompiled() ? "luajc" : "interpreter");
            final List<Map<String, Object>> messages = host.errorLog(source.name()).messages();
            if (!messages.isEmpty()) {
                entry.put("error_messages", messages);
            }
            scripts.put(source.name(), entry);
        }
        host.badScripts().forEach((name, error) -> {
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("loaded", false);
            entry.put("disabled", true);
            entry.put("errors", 1);
            entry.put("calls", 0);
            entry.put("error", error);
            scripts.put(name, entry);
        });
        summary.put("scripts", scripts);
        final Map<String, Object> out = new LinkedHashMap<>();
        long stored = 0;
        long storedBytes = 0;
        long storageFailures = 0;
        long filesDeleted = 0;
        int files = 0;
        long alerts = 0;
        long resources = 0;
        long updates = 0;
        long dropped = 0;
        long unknownFlow = 0;
        long resourcesTruncated = 0;
        long tagsTruncated = 0;
        for (final ScriptStage stage : stages) {
            alerts += stage.count(ScriptCounter.ALERTS);
            resources += stage.count(ScriptCounter.RESOURCES);
            updates += stage.count(ScriptCounter.COUNTER_UPDATES);
            dropped += stage.count(ScriptCounter.MESSAGES_DROPPED);
            unknownFlow += stage.count(ScriptCounter.UNKNOWN_FLOW);
            storageFailures += stage.count(ScriptCounter.STORAGE_FAILURES);
            resourcesTruncated += stage.resourcesTruncated();
            tagsTruncated += stage.tagsTruncated();
            final RotatingPcapWriter storage = stage.storage();
            if (storage != null) {
                stored += storage.packets();
                storedBytes += storage.bytes();
                filesDeleted += storage.filesDeleted();
                files += storage.filesWritten();
            }
        }
        out.put("counter_updates", updates);
        out.put("counter_lines", outputs == null ? 0 : outputs.counters().lines());
        out.put("alerts", alerts);
        out.put("resources", resources);
        out.put("resources_truncated", resourcesTruncated);
        out.put("tags_truncated", tagsTruncated);
        out.put("messages_dropped", dropped);
        out.put("unknown_flow_keys", unknownFlow);
        out.put("log_lines", host.logLines());
        out.put("packets_stored", stored);
        out.put("stored_bytes", storedBytes);
        out.put("storage_files", files);
        out.put("storage_files_deleted", filesDeleted);
        out.put("storage_failures", storageFailures);
        summary.put("script_outputs", out);
    }

    @Override
    public void close() {
        if (outputs != null) {
            outputs.counters().close();
        }
    }
}
