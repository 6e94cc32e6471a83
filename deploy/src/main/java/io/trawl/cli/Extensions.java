package io.trawl.cli;

import io.trawl.async.lua.AsyncLuaExtension;
import io.trawl.config.TrawlContext;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.filex.StagedFiles;
import io.trawl.pipeline.script.ScriptExtension;
import io.trawl.pipeline.script.ScriptStageFactory;
import io.trawl.pipeline.script.stream.ScriptStreams;

import java.util.ArrayList;
import java.util.List;

/**
 * The layers a run adds to its pipelines, in order (Lua scripts, reassembly, T.async). The one place
 * that knows all modules.
 */
final class Extensions {
    private Extensions() {
    }

    /**
     * @throws io.trawl.config.ConfigException (exit code 2) when a script cannot be loaded
     */
    static List<PipelineStageFactory> stageFactories(final TrawlContext context, final RunConsole console) {
        final List<PipelineStageFactory> factories = new ArrayList<>();
        // The run's AutoDelete registry of staged files: file extraction stages them, T.async
        // operations that read them hold them.
        final StagedFiles stagedFiles = StagedFiles.withBackgroundDeletion();
        if (!context.scripts().isEmpty()) {
            // modules that add to every Lua state register here: T.async
            final AsyncLuaExtension async = new AsyncLuaExtension();
            final List<ScriptExtension> scriptExtensions = new ArrayList<>(List.of(async));
            final ScriptStageFactory scripts = new ScriptStageFactory(context, console, scriptExtensions);
            factories.add(scripts);
            // TCP reassembly, HTTP and file extraction: only when a script has a stream type
            final ScriptStreams streams = ScriptStreams.forScripts(scripts, stagedFiles);
            if (streams != null) {
                factories.add(streams);
            }
            factories.add(async.start(context, scripts.host(), stagedFiles, console));
        }
        return factories;
    }
}
