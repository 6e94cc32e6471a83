package io.trawl.pipeline;

import io.trawl.bindings.NativeException;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.ReceiveQueue;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.agent.IdleStrategies;
import io.trawl.pipeline.agent.PinnedAgent;
import io.trawl.pipeline.counters.CountersFile;
import io.trawl.pipeline.counters.PipelineCounter;
import io.trawl.pipeline.decode.DecodeResult;
import io.trawl.pipeline.dispatch.HandoffRing;
import io.trawl.pipeline.dispatch.MergedQueue;
import io.trawl.pipeline.dispatch.PacketDispatcher;
import io.trawl.pipeline.output.Json;
import io.trawl.pipeline.output.JsonLinesFile;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * One run of trawl: a source, its dispatchers (when the source has fewer queues than pipelines), the
 * pipelines with their stages, all on agent threads (pinned when configured), until the input ends or a
 * stop is requested; then {@code OUT/summary.json}.
 *
 * <p>Threading: {@link #run()} blocks the calling thread, which only monitors (duration, packet limit,
 * agent errors). {@link #requestStop(String)} and the progress getters may be called from any thread.
 */
public final class TrawlRun {
    private static final int MAX_COUNTERS = 1024;
    private static final long ERROR_GRACE_NANOS = 10_000_000_000L;

    private final TrawlContext context;
    private final CaptureSource source;
    private final List<PipelineStageFactory> stageFactories;
    private final RunConsole console;
    private final RunCoordinator coordinator;
    private final List<Pipeline> pipelines = new ArrayList<>();
    private final List<PinnedAgent> pipelineAgents = new ArrayList<>();
    private final List<PacketDispatcher> dispatchers = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private final List<String> agentErrors = new ArrayList<>();
    private final Map<String, Object> summary = new LinkedHashMap<>();
    /** Counter type id of the source's drop counters (capture's range is 100-199). */
    static final int SOURCE_DROP_COUNTER_TYPE = 100;

    private final Map<String, AtomicCounter> sourceDropCounters = new LinkedHashMap<>();
    private CountersFile countersFile;
    private volatile long startedNanos;

    public TrawlRun(final TrawlContext context, final CaptureSource source, final List<PipelineStageFactory> stageFactories,
                    final RunConsole console) {
        this.context = context.conclude();
        this.source = source;
        this.stageFactories = List.copyOf(stageFactories);
        this.console = console;
        this.coordinator = new RunCoordinator(context.pipelines());
    }

    /**
     * Runs to the end and writes {@code summary.json}.
     *
     * @return the summary (also written to OUT/summary.json)
     */
    public RunResult run() {
        final Path out = context.outDir();
        try {
            Files.createDirectories(out);
            Files.createDirectories(context.stateDir());
            if (!context.get(TrawlSettings.OUTPUTS_APPEND)) {
                Files.deleteIfExists(out.resolve("flows.jsonl"));
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot prepare output directory " + out + ": " + e.getMessage(), e);
        }
        countersFile = CountersFile.create(context.stateDir().resolve("counters.dat"), MAX_COUNTERS);
        final Instant started = Instant.now();
        startedNanos = System.nanoTime();
        try {
            build();
            createSourceDropCounters();
            for (final PipelineStageFactory factory : stageFactories) {
                for (final Pipeline pipeline : pipelines) {
                    pipeline.addStage(factory.create(pipeline));
                }
            }
            for (final PipelineStageFactory factory : stageFactories) {
                factory.start();
            }
            start();
            monitor();
        } finally {
            for (final AgentRunner runner : runners) {
                runner.close();
            }
        }
        final long elapsed = System.nanoTime() - startedNanos;
        summarize(started, elapsed);
        publishSourceDrops();
        for (final PipelineStageFactory factory : stageFactories) {
            factory.contributeSummary(summary);
        }
        for (final PipelineStageFactory factory : stageFactories) {
            factory.close();
        }
        Json.writeFile(out.resolve("summary.json"), summary);
        countersFile.close();
        final String failure = source.failure() != null ? source.failure()
            : agentErrors.isEmpty() ? null : agentErrors.getFirst();
        return new RunResult(summary, failure, coordinator.stopReason());
    }

    private void build() {
        final int n = context.pipelines();
        final int queues = source.queueCount();
        final boolean live = !source.isFinite();
        final Path flowsFile = context.outDir().resolve("flows.jsonl");
        final boolean flowLog = context.get(TrawlSettings.FLOW_LOG);
        if (queues == n) {
            for (int i = 0; i < n; i++) {
                pipelines.add(new Pipeline(i, source.queue(i), true, live, context, coordinator,
                    new PipelineCounters(countersFile, i), flowLog ? new JsonLinesFile(flowsFile) : null));
            }
            return;
        }
        final int ringBytes = (int) (long) context.get(TrawlSettings.PIPELINE_RING_BYTES);
        final HandoffRing[][] rings = new HandoffRing[queues][n];
        for (int q = 0; q < queues; q++) {
            for (int p = 0; p < n; p++) {
                rings[q][p] = new HandoffRing(ringBytes);
            }
            dispatchers.add(new PacketDispatcher("dispatcher-" + q, source.queue(q), rings[q], !live,
                context.get(TrawlSettings.PIPELINE_BATCH), coordinator::stopRequested));
        }
        for (int p = 0; p < n; p++) {
            final ReceiveQueue[] inputs = new ReceiveQueue[queues];
            for (int q = 0; q < queues; q++) {
                inputs[q] = rings[q][p];
            }
            final ReceiveQueue input = queues == 1 ? inputs[0] : new MergedQueue(inputs);
            pipelines.add(new Pipeline(p, input, false, live, context, coordinator,
                new PipelineCounters(countersFile, p), flowLog ? new JsonLinesFile(flowsFile) : null));
        }
    }

    private void start() {
        final int[] cpus = context.cpus();
        final String idle = context.get(TrawlSettings.PIPELINE_IDLE);
        final StringBuilder map = new StringBuilder("threads:");
        for (final PacketDispatcher dispatcher : dispatchers) {
            final Integer cpu = context.get(TrawlSettings.DISPATCHER_CPU);
            final PinnedAgent agent = new PinnedAgent(dispatcher, cpu == null ? -1 : cpu);
            map.append(' ').append(dispatcher.roleName()).append("→").append(cpu == null ? "any CPU" : "CPU " + cpu);
            launch(agent, "backoff");
        }
        for (final Pipeline pipeline : pipelines) {
            final int cpu = cpus == null ? -1 : cpus[pipeline.index()];
            final PinnedAgent agent = new PinnedAgent(pipeline, cpu);
            pipelineAgents.add(agent);
            map.append(' ').append(pipeline.roleName()).append("→").append(cpu < 0 ? "any CPU" : "CPU " + cpu);
            launch(agent, idle);
        }
        console.info("trawl: " + source.description());
        console.info("trawl: " + map + (cpus == null ? " (unpinned; use --cpus to pin)" : ""));
    }

    private void launch(final PinnedAgent agent, final String idle) {
        final AgentRunner runner = new AgentRunner(IdleStrategies.named(idle), this::onAgentError, null, agent);
        runners.add(runner);
        AgentRunner.startOnThread(runner);
    }

    private volatile long firstErrorNanos;

    private void onAgentError(final Throwable error) {
        if (firstErrorNanos == 0) {
            firstErrorNanos = System.nanoTime();
        }
        final String message = error instanceof NativeException ? error.getMessage() : error.toString();
        synchronized (agentErrors) {
            if (agentErrors.size() < 16 && !agentErrors.contains(message)) {
                agentErrors.add(message);
                console.warn("trawl: error: " + message);
                if (!(error instanceof NativeException)) {
                    error.printStackTrace();
                }
            }
        }
        coordinator.requestStop("error: " + message);
    }

    /**
     * One counter per cause the source reports drops for (the kernel's counters of live sources), type id
     * {@value #SOURCE_DROP_COUNTER_TYPE} (capture range), so that {@code trawl counters} shows them while
     * the run goes on. Created before any thread starts: the counters file has a single allocating thread.
     */
    private void createSourceDropCounters() {
        for (final String cause : source.drops().keySet()) {
            sourceDropCounters.put(cause, countersFile.newCounter("source drops: " + cause, SOURCE_DROP_COUNTER_TYPE));
        }
    }

    /** Copies the source's drop counts into the counters file (monitor thread, about once a second). */
    private void publishSourceDrops() {
        if (sourceDropCounters.isEmpty()) {
            return;
        }
        source.drops().forEach((cause, count) -> {
            final AtomicCounter counter = sourceDropCounters.get(cause);
            if (counter != null) {
                counter.setOrdered(count);
            }
        });
    }

    private void monitor() {
        final long deadline = context.durationNanos() == Long.MAX_VALUE ? Long.MAX_VALUE : startedNanos + context.durationNanos();
        final long limit = context.packetLimit();
        final boolean live = !source.isFinite();
        long nextDropPublish = 0;
        coordinator.waitingThread(Thread.currentThread()); // the last pipeline wakes us: the end is not late by a park
        while (!coordinator.allDone()) {
            LockSupport.parkNanos(10_000_000L);
            final long now = System.nanoTime();
            if (live && now >= nextDropPublish) {
                publishSourceDrops();
                nextDropPublish = now + 1_000_000_000L;
            }
            if (now >= deadline) {
                coordinator.requestStop("duration reached");
            }
            if (live && limit != Long.MAX_VALUE && packets() >= limit) {
                coordinator.requestStop("packet count reached");
            }
            if (firstErrorNanos != 0 && now - firstErrorNanos > ERROR_GRACE_NANOS) {
                console.warn("trawl: pipelines did not finish within 10 s of an internal error; giving up");
                break;
            }
            boolean anyRunnerClosed = false;
            for (final AgentRunner runner : runners) {
                anyRunnerClosed |= runner.isClosed();
            }
            if (anyRunnerClosed) {
                break;
            }
        }
    }

    /** Asks every thread to finish as if the input had ended (Ctrl-C, SIGTERM). */
    public void requestStop(final String reason) {
        coordinator.requestStop(reason);
    }

    /** Packets processed so far (published counters; any thread). */
    public long packets() {
        long total = 0;
        for (final Pipeline pipeline : pipelines) {
            total += pipeline.counters().published(PipelineCounter.PACKETS);
        }
        return total;
    }

    /** Captured bytes processed so far (any thread). */
    public long bytes() {
        long total = 0;
        for (final Pipeline pipeline : pipelines) {
            total += pipeline.counters().published(PipelineCounter.BYTES);
        }
        return total;
    }

    /** Nanoseconds since the run started (0 before). */
    public long elapsedNanos() {
        return startedNanos == 0 ? 0 : System.nanoTime() - startedNanos;
    }

    public CaptureSource source() {
        return source;
    }

    private void summarize(final Instant started, final long elapsedNanos) {
        final long packets = sum(PipelineCounter.PACKETS);
        final double seconds = elapsedNanos / 1e9;
        summary.put("version", TrawlRun.class.getPackage().getImplementationVersion() == null
            ? "dev" : TrawlRun.class.getPackage().getImplementationVersion());
        summary.put("source", source.description());
        summary.put("started", started.toString());
        summary.put("status", !agentErrors.isEmpty() || source.failure() != null ? "failed"
            : coordinator.stopReason() != null ? "stopped" : "completed");
        if (coordinator.stopReason() != null) {
            summary.put("stop_reason", coordinator.stopReason());
        }
        if (source.failure() != null) {
            summary.put("failure", source.failure());
        }
        if (!agentErrors.isEmpty()) {
            summary.put("errors", List.copyOf(agentErrors));
        }
        summary.put("packets", packets);
        summary.put("bytes", sum(PipelineCounter.BYTES));
        summary.put("flows", sum(PipelineCounter.FLOWS_CREATED));
        summary.put("pipelines", pipelines.size());
        summary.put("duration_s", Math.round(seconds * 1e6) / 1e6);
        summary.put("packets_per_second", seconds > 0 ? Math.round(packets / seconds) : 0);
        final Map<String, Object> drops = new LinkedHashMap<>(source.drops());
        drops.put("flow_table_full", sum(PipelineCounter.FLOW_TABLE_FULL));
        long ringFull = 0;
        for (final PacketDispatcher dispatcher : dispatchers) {
            ringFull += dispatcher.ringFullDrops();
        }
        drops.put("dispatch_ring_full", ringFull);
        summary.put("drops", drops);
        summary.put("decode_errors", sum(PipelineCounter.DECODE_ERRORS));
        final Map<String, Object> decode = new LinkedHashMap<>();
        final long[] results = new long[DecodeResult.count()];
        for (final Pipeline pipeline : pipelines) {
            final long[] r = pipeline.decodeResults();
            for (int i = 0; i < r.length; i++) {
                results[i] += r[i];
            }
        }
        for (int i = 0; i < results.length; i++) {
            decode.put(DecodeResult.byOrdinal(i).key(), results[i]);
        }
        decode.put("fragments", sum(PipelineCounter.FRAGMENTS));
        summary.put("decode", decode);
        summary.put("capture", new LinkedHashMap<>(source.statistics()));
        final List<Object> perPipeline = new ArrayList<>();
        for (int i = 0; i < pipelines.size(); i++) {
            final Pipeline pipeline = pipelines.get(i);
            final Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("pipeline", i);
            entry.put("cpu", pipelineAgents.isEmpty() ? -1 : pipelineAgents.get(i).cpu());
            entry.put("packets", pipeline.counters().published(PipelineCounter.PACKETS));
            entry.put("bytes", pipeline.counters().published(PipelineCounter.BYTES));
            entry.put("flows", pipeline.counters().published(PipelineCounter.FLOWS_CREATED));
            perPipeline.add(entry);
        }
        summary.put("per_pipeline", perPipeline);
    }

    private long sum(final PipelineCounter counter) {
        long total = 0;
        for (final Pipeline pipeline : pipelines) {
            total += pipeline.counters().published(counter);
        }
        return total;
    }

    /**
     * The outcome of a run.
     *
     * @param summary    what was written to summary.json
     * @param failure    why the run failed (corrupt input, agent error), or null
     * @param stopReason why it stopped early (duration, signal, count), or null
     */
    public record RunResult(Map<String, Object> summary, String failure, String stopReason) {
        public boolean failed() {
            return failure != null;
        }
    }

}
