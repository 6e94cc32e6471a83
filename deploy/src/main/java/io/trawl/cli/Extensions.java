package io.trawl.cli;

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
        // One AutoDelete registry per run: file extraction stages files into it, T.async retains what it reads.
        final StagedFiles stagedFiles = new StagedFiles();
        if (!context.scripts().isEmpty()) {
            // modules that add to every Lua state (T.async) register here
            final List<ScriptExtension> scriptExtensions = new ArrayList<>();
            final ScriptStageFactory scripts = new ScriptStageFactory(context, console, scriptExtensions);
            factories.add(scripts);
            // TCP reassembly, HTTP and file extraction: only when a script has a stream type
            final ScriptStreams streams = ScriptStreams.forScripts(scripts, stagedFiles);
            if (streams != null) {
                factories.add(streams);
            }
        }
        return factories;
    }
}
