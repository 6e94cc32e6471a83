package io.trawl.async.lua;

import io.trawl.async.AsyncService;
import io.trawl.async.pipeline.AsyncSubmitter;
import io.trawl.async.journal.Journal;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.filex.StagedFiles;
import io.trawl.pipeline.script.ScriptExtension;
import io.trawl.pipeline.script.ScriptHost;
import io.trawl.pipeline.script.ScriptSource;
import io.trawl.pipeline.script.ScriptState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Installs {@code T.async} into the script host's states. Lifecycle: register it with the host (its
 * {@link #loaded} hook reads each script's {@code request_async_workers} while the host checks the
 * scripts), then {@link #start} builds the {@link AsyncService} and binds the pipeline states created
 * afterwards to their pipeline's submitter. Worker states get a {@code T.async} that refuses to be used
 * (onexecute runs on a worker; it submits nothing), and {@code io}/{@code os} whose child processes are
 * tracked.
 */
public final class AsyncLuaExtension implements ScriptExtension {
    /** Set by a {@link LuaTaskRunner} while it creates its worker state, read by {@link #install}. */
    static final ThreadLocal<ProcessTracker> WORKER_TRACKER = new ThreadLocal<>();
    private static final int MAX_WORKERS_PER_SCRIPT = 64;

    private final Map<String, Integer> requestedWorkers = new ConcurrentHashMap<>();
    /** Pipeline states by pipeline and script name (recovered schedules bind their onresult to them). */
    private final Map<String, ScriptState> pipelineStates = new ConcurrentHashMap<>();
    private final Map<String, String> workerWarnings = new ConcurrentHashMap<>();
    private volatile AsyncService service;
    private volatile Map<String, Integer> indexByName = Map.of();

    @Override
    public void install(final ScriptState state) {
        if (state.role() == ScriptState.Role.WORKER) {
            final ProcessTracker tracker = WORKER_TRACKER.get();
            if (tracker != null) {
                final LuaValue exit = state.globals().get("os").get("exit");
                state.globals().load(new TrackedLibraries.TrackedIo(tracker));
                state.globals().load(new TrackedLibraries.TrackedOs(tracker));
                state.globals().get("os").set("exit", exit);
            }
            state.t().set("async", unavailable("T.async is not available inside onexecute (it runs on a worker)"));
            return;
        }
        final AsyncService bound = service;
        final Integer index = indexByName.get(state.source().name());
        if (bound == null || index == null || state.pipeline() < 0) {
            state.t().set("async", unavailable("T.async is not available while the script loads"));
            return;
        }
        pipelineStates.put(state.pipeline() + "/" + state.source().name(), state);
        state.t().set("async", AsyncTable.create(state, bound.submitter(state.pipeline()), index));
    }

    @Override
    public void loaded(final ScriptState state) {
        if (state.role() != ScriptState.Role.PIPELINE || service != null) {
            return;
        }
        final LuaValue requested = state.plugin().isnil() ? LuaValue.NIL : state.plugin().get("request_async_workers");
        int workers = 1;
        if (!requested.isnil()) {
            if (requested.isnumber() && requested.todouble() >= 1 && requested.todouble() <= MAX_WORKERS_PER_SCRIPT
                && requested.todouble() == Math.floor(requested.todouble())) {
                workers = requested.toint();
            } else {
                workerWarnings.put(state.source().name(), "request_async_workers must be a whole number from 1 to "
                    + MAX_WORKERS_PER_SCRIPT + ", got " + requested.tojstring() + "; using 1");
            }
        }
        requestedWorkers.put(state.source().name(), workers);
    }

    /**
     * Builds T.async for the loaded scripts and binds pipeline states created from now on to it.
     *
     * @param stagedFiles the run's AutoDelete registry (files under the filex staging directory)
     */
    public AsyncService start(final TrawlContext context, final ScriptHost host, final StagedFiles stagedFiles,
                              final RunConsole console) {
        final List<ScriptSource> sources = host.sources();
        final Journal journal = context.get(TrawlSettings.ASYNC_JOURNAL)
            ? Journal.open(context.stateDir().resolve("journal"), context.get(TrawlSettings.ASYNC_JOURNAL_SYNC),
                context.get(TrawlSettings.ASYNC_JOURNAL_MAX_BYTES), console)
            : null;
        if (journal != null && journal.recovered().jobs().isEmpty() && sources.stream().anyMatch(s -> s.namesConstant("async"))) {
            // compile the journal's write path before the first packet, not on the fast path's first calls
            // (a recovery runs that path itself, before any packet; no pass over its jobs just to decide);
            // not for scripts that never name T.async (up to 0.2 s of start-up saved)
            io.trawl.async.journal.JournalWarmUp.run(context.stateDir().resolve("journal-warmup"), console);
        }
        final List<AsyncService.ScriptSpec> specs = new ArrayList<>();
        final Map<String, Integer> indexes = new HashMap<>();
        for (int i = 0; i < sources.size(); i++) {
            final ScriptSource source = sources.get(i);
            specs.add(new AsyncService.ScriptSpec(source.name(), requestedWorkers.getOrDefault(source.name(), 1),
                source.path().toAbsolutePath().toString()));
            indexes.put(source.name(), i);
            final String warning = workerWarnings.get(source.name());
            if (warning != null) {
                console.warn("trawl: " + source.pluginLocation() + ": " + warning);
            }
        }
        final AsyncService created = new AsyncService(context, specs,
            (script, worker) -> new LuaTaskRunner(host, sources.get(script)), stagedFiles, console, journal, this::bind);
        indexByName = Map.copyOf(indexes);
        service = created;
        return created;
    }

    /** Re-creates a recovered schedule on pipeline {@code pipeline}'s state of its script. */
    private io.trawl.async.journal.RecoveryBinder.Bound bind(final io.trawl.async.journal.JournaledJob job, final int pipeline)
        throws java.io.IOException {
        final ScriptState state = pipelineStates.get(pipeline + "/" + job.script());
        if (state == null || job.payload() == null) {
            return null;
        }
        return AsyncTable.recovered(state, TaskCodec.decode(job.payload()));
    }

    /** A T.async table whose every member raises {@code message}. */
    private static LuaTable unavailable(final String message) {
        final LuaTable table = new LuaTable();
        for (final String method : AsyncTable.METHODS) {
            table.set(method, new VarArgFunction() {
                @Override
                public Varargs invoke(final Varargs args) {
                    throw new LuaError("T.async:" + method + ": " + message);
                }
            });
        }
        return table;
    }

    /** The submitter of a pipeline (tests). */
    AsyncSubmitter submitter(final int pipeline) {
        return service.submitter(pipeline);
    }
}
