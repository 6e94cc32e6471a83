package io.trawl.cli;

import io.trawl.config.TrawlContext;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.RunConsole;

import java.util.ArrayList;
import java.util.List;

/**
 * The layers a run adds to its pipelines, in order (Lua scripts, reassembly, T.async). The one place
 * that knows all modules.
 */
final class Extensions {
    private Extensions() {
    }

    static List<PipelineStageFactory> stageFactories(final TrawlContext context, final RunConsole console) {
        return new ArrayList<>();
    }
}
