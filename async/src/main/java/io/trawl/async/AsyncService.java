package io.trawl.async;

import io.trawl.async.exec.Conductor;
import io.trawl.async.exec.ScriptAsync;
import io.trawl.async.exec.TaskRunner;
import io.trawl.async.exec.WorkerPools;
import io.trawl.async.files.PathPolicy;
import io.trawl.async.job.AsyncJob;
import io.trawl.async.pipeline.AsyncSubmitter;
import io.trawl.async.pipeline.CompletionStage;
import io.trawl.async.pipeline.PipelineAsync;
import io.trawl.async.journal.Journal;
import io.trawl.async.journal.JournaledJob;
import io.trawl.async.journal.RecoveryBinder;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.Pipeline;
import io.trawl.pipeline.PipelineStage;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.agent.IdleStrategies;
import io.trawl.pipeline.agent.PinnedAgent;
import io.trawl.pipeline.filex.StagedFiles;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * T.async for one run: the per-script pools of workers, the conductor, and per pipeline a submitter and a
 * completion stage. Built before the pipelines start (when the scripts are known), started by the run
 * just before the pipelines, stopped after they finished (every job drained), and reported in
 * summary.json {@code async}.
 */
public final class AsyncService implements PipelineStageFactory {
    /** A script that may use T.async, with the workers it asks for ({@code request_async_workers}). */
    public record ScriptSpec(String name, int requestedWorkers, String path) {
        public ScriptSpec(final String name, final int requestedWorkers) {
            this(name, requestedWorkers, "");
        }
    }

    private static final int QUEUE_CAPACITY = 1 << 16;

    private final TrawlContext context;
    private final RunConsole console;
    private final ScriptAsync[] scripts;
    private final WorkerPools pools;
    private final Conductor conductor;
    private final PipelineAsync[] pipelines;
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<CompletionStage> stages = new ArrayList<>();
    private final PathPolicy paths;
    private final StagedFiles stagedFiles;
    private final Journal journal;
    private final java.util.concurrent.atomic.AtomicLong tickets = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong recovered = new java.util.concurrent.atomic.AtomicLong();
    private long recoveredJobs;

    public AsyncService(final TrawlContext context, final List<ScriptSpec> specs, final TaskRunner.Factory runners,
                        final StagedFiles stagedFiles, final RunConsole console) {
        this(context, specs, runners, stagedFiles, console, null, null);
    }

    /**
     * @param journal the run's journal (null: jobs are not journaled and nothing is recovered)
     * @param binder  re-creates recovered schedules on the new run's Lua states (with a journal)
     */
    @SuppressWarnings("unchecked")
    public AsyncService(final TrawlContext context, final List<ScriptSpec> specs, final TaskRunner.Factory runners,
                        final StagedFiles stagedFiles, final RunConsole console, final Journal journal,
                        final RecoveryBinder binder) {
        this.context = context;
        this.journal = journal;
        this.console = console;
        this.stagedFiles = stagedFiles;
        final List<Path> roots = new ArrayList<>(context.get(TrawlSettings.ASYNC_ALLOWED_ROOTS));
        roots.add(context.outDir());
        roots.add(context.stateDir());
        roots.add(context.get(TrawlSettings.FILEX_RAMFS_DIR)); // staged HTTP bodies, wherever the tmpfs is
        this.paths = new PathPolicy(context.outDir(), roots);
        this.scripts = new ScriptAsync[specs.size()];
        final int cap = context.get(TrawlSettings.ASYNC_WORKERS_MAX);
        int assigned = 0;
        for (int i = 0; i < specs.size(); i++) {
            final ScriptSpec spec = specs.get(i);
            final int wanted = Math.max(1, spec.requestedWorkers());
            final int given = Math.max(1, Math.min(wanted, cap - assigned));
            if (given < wanted) {
                console.warn("trawl: " + spec.name() + " asked for " + wanted + " T.async workers; async.workers_max "
                    + cap + " leaves " + given);
            }
            assigned += given;
            scripts[i] = new ScriptAsync(i, spec.name(), spec.path(), given, context.get(TrawlSettings.ASYNC_QUEUE_JOBS),
                context.get(TrawlSettings.ASYNC_QUEUE_BYTES), context.pipelines());
        }
        final int pipelineCount = context.pipelines();
        this.pools = new WorkerPools(scripts, runners, paths, pipelineCount, QUEUE_CAPACITY, journal);
        final Map<String, Integer> indexByName = new java.util.HashMap<>();
        for (final ScriptAsync script : scripts) {
            indexByName.put(script.name(), script.index());
        }
        final List<List<JournaledJob>> recoveredByPipeline = new ArrayList<>();
        for (int p = 0; p < pipelineCount; p++) {
            recoveredByPipeline.add(new ArrayList<>());
        }
        if (journal != null) {
            final List<JournaledJob> unfinished = journal.recovered().unfinished();
            if (pipelineCount == 1) {
                recoveredByPipeline.set(0, unfinished);
                recoveredJobs = unfinished.size();
            } else {
                for (final JournaledJob job : unfinished) {
                    recoveredByPipeline.get(Math.floorMod(job.pipeline(), pipelineCount)).add(job);
                    recoveredJobs++;
                }
            }
            if (recoveredJobs > 0) {
                console.info("trawl: T.async: recovering " + recoveredJobs + " unfinished job(s) of an interrupted run from "
                    + context.stateDir().resolve("journal") + " before any new input");
            }
        }
        final java.util.concurrent.atomic.AtomicInteger pipelinesToRecover = new java.util.concurrent.atomic.AtomicInteger(pipelineCount);
        final CompletionStage.Recovery recovery = journal == null ? null : new CompletionStage.Recovery() {
            @Override
            public List<JournaledJob> jobsFor(final int pipeline) {
                return recoveredByPipeline.get(pipeline);
            }

            @Override
            public int scriptIndex(final String scriptName) {
                return indexByName.getOrDefault(scriptName, -1);
            }

            @Override
            public RecoveryBinder.Bound bind(final JournaledJob job, final int pipeline) throws Exception {
                return binder == null ? null : binder.bind(job, pipeline);
            }

            @Override
            public void submitted(final int pipeline, final int count) {
                recovered.addAndGet(count);
            }

            @Override
            public void delivered(final int pipeline) {
                if (pipelinesToRecover.decrementAndGet() == 0) {
                    journal.recoveryFinished();
                }
            }
        };
        final long idPrefix = (long) (1 + new java.security.SecureRandom().nextInt(0x7FFF)) << 48;
        final Queue<AsyncJob>[] submissions = new Queue[pipelineCount];
        this.pipelines = new PipelineAsync[pipelineCount];
        for (int p = 0; p < pipelineCount; p++) {
            submissions[p] = new SpscVarHandleArrayQueue<>(QUEUE_CAPACITY);
            pipelines[p] = new PipelineAsync(p, scripts, paths, stagedFiles, submissions[p], pools.all(), console,
                journal == null ? null : journal.pipeline(p), tickets, idPrefix, recovery);
        }
        this.conductor = new Conductor(submissions, pools.byScript(), (long) (context.get(TrawlSettings.ASYNC_TIMEOUT) * 1e9));
    }

    /** The submitter of pipeline {@code index} (what its Lua states call). */
    public AsyncSubmitter submitter(final int pipeline) {
        return pipelines[pipeline].submitter();
    }

    /** The completion stage of pipeline {@code index} (the run installs it through {@link #create}). */
    public CompletionStage completionStage(final int pipeline) {
        return pipelines[pipeline].stage();
    }

    /** The conductor (monitoring). */
    public Conductor conductor() {
        return conductor;
    }

    /** The shared per-script state (bounds, counters). */
    public ScriptAsync script(final int index) {
        return scripts[index];
    }

    public PathPolicy paths() {
        return paths;
    }

    @Override
    public PipelineStage create(final Pipeline pipeline) {
        final CompletionStage stage = pipelines[pipeline.index()].stage();
        stage.publishTo(pipeline);
        stages.add(stage);
        return stage;
    }

    @Override
    public void start() {
        final int[] cpus = context.get(TrawlSettings.ASYNC_CPUS);
        final String idle = context.get(TrawlSettings.ASYNC_IDLE);
        launch(conductor, -1, "backoff"); // jobs without paths never pass the conductor: it need not spin
        int i = 0;
        final StringBuilder map = new StringBuilder("trawl: T.async:");
        for (final io.trawl.async.exec.Worker worker : pools.all()) {
            final int cpu = cpus == null ? -1 : cpus[i++ % cpus.length];
            map.append(' ').append(worker.roleName()).append("→").append(cpu < 0 ? "any CPU" : "CPU " + cpu);
            launch(worker, cpu, idle);
        }
        console.info(map.toString());
    }

    private void launch(final Agent agent, final int cpu, final String idle) {
        final AgentRunner runner = new AgentRunner(IdleStrategies.named(idle), error -> {
            console.warn("trawl: " + agent.roleName() + ": " + error);
            error.printStackTrace();
        }, null, new PinnedAgent(agent, cpu));
        runners.add(runner);
        AgentRunner.startOnThread(runner);
    }

    @Override
    public void contributeSummary(final Map<String, Object> summary) {
        final Map<String, Object> async = new LinkedHashMap<>();
        long submitted = 0;
        long completed = 0;
        long failed = 0;
        long rejected = 0;
        long timedOut = 0;
        long refused = 0;
        long pendingMax = 0;
        long written = 0;
        for (final ScriptAsync script : scripts) {
            submitted += script.submitted();
            completed += script.completed();
            failed += script.failed();
            rejected += script.rejected();
            timedOut += script.timedOut();
            refused += script.refused();
            pendingMax = Math.max(pendingMax, script.pendingMax());
            written += script.bytesWritten();
        }
        async.put("submitted", submitted);
        async.put("completed", completed);
        async.put("failed", failed);
        async.put("rejected", rejected);
        async.put("timed_out", timedOut);
        async.put("refused", refused);
        async.put("pending_max", pendingMax);
        async.put("bytes_written", written);
        async.put("workers", pools.all().size());
        async.put("recovered", recovered.get());
        long journalRejections = 0;
        for (final PipelineAsync pipeline : pipelines) {
            journalRejections += pipeline.submitter().journalRejections();
        }
        async.put("journal_rejections", journalRejections);
        if (journal != null) {
            async.put("journal", journal.statistics());
        }
        async.put("batches", conductor.batches());
        async.put("batched_jobs", conductor.batchedJobs());
        final Histogram all = new Histogram(3_600_000_000L, 3);
        for (final PipelineAsync pipeline : pipelines) {
            all.add(pipeline.latency());
        }
        async.put("latency_us", percentiles(all));
        final Map<String, Object> byScript = new LinkedHashMap<>();
        for (final ScriptAsync script : scripts) {
            final Map<String, Object> entry = script.toMap();
            final Histogram h = new Histogram(3_600_000_000L, 3);
            for (final PipelineAsync pipeline : pipelines) {
                h.add(pipeline.latency(script.index()));
            }
            entry.put("latency_us", percentiles(h));
            byScript.put(script.name(), entry);
        }
        async.put("scripts", byScript);
        summary.put("async", async);
    }

    private static Map<String, Object> percentiles(final Histogram h) {
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("count", h.getTotalCount());
        out.put("p50", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50));
        out.put("p90", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(90));
        out.put("p99", h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99));
        out.put("max", h.getMaxValue());
        return out;
    }

    /** Jobs recovered from an interrupted run (re-run or re-delivered). */
    public long recovered() {
        return recovered.get();
    }

    @Override
    public void close() {
        for (final AgentRunner runner : runners) {
            runner.close();
        }
        if (journal != null) {
            boolean finished = true;
            for (final PipelineAsync pipeline : pipelines) {
                finished &= pipeline.submitter().outstanding() == 0;
            }
            journal.close(finished);
        }
    }
}
