package io.trawl.cli;

import io.trawl.capture.CaptureException;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSources;
import io.trawl.capture.synthetic.DemoCapture;
import io.trawl.config.ConfigException;
import io.trawl.config.ConfigFile;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.PipelineStageFactory;
import io.trawl.pipeline.TrawlRun;
import picocli.CommandLine.Model.CommandSpec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code trawl run} and {@code trawl demo} do: build the context (config file, then options),
 * conclude it, open the source, run, report. Maps failures to exit codes: configuration problems to 2
 * before anything is processed, run-time problems to 1 after the outputs are written.
 */
final class RunExecution {
    private final PrintStream out;
    private final PrintStream err;

    RunExecution(final PrintStream out, final PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * @param defaults settings applied before the config file (the demo's)
     */
    int execute(final CommandSpec spec, final Path configFile, final boolean printConfig,
                final Map<io.trawl.config.Setting<?>, Object> defaults) {
        final TrawlContext context = new TrawlContext();
        try {
            defaults.forEach((setting, value) -> context.setRaw(setting, value, "demo"));
            if (configFile != null) {
                ConfigFile.load(configFile, context);
            }
            SettingOptions.apply(spec, context);
            if (context.source() == null) {
                context.set(TrawlSettings.SOURCE, "pcap:" + ensureDemoCapture(), "default (demo capture)");
            }
            continueInterruptedRun(context);
            context.conclude();
        } catch (final ConfigException e) {
            err.println("trawl: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        if (printConfig) {
            context.effectiveValues().forEach((key, value) -> out.println(key + " = " + value));
        }
        final boolean tty = System.console() != null && System.console().isTerminal();
        final String progress = context.get(TrawlSettings.PROGRESS);
        final TerminalConsole console = new TerminalConsole(out, err,
            "always".equals(progress) || ("auto".equals(progress) && tty));
        final CaptureSource source;
        try {
            source = CaptureSources.open(context.source(), context);
        } catch (final ConfigException e) {
            err.println("trawl: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (final CaptureException e) {
            err.println("trawl: cannot open source: " + e.getMessage());
            return ExitCodes.RUNTIME_FAILURE;
        }
        final List<PipelineStageFactory> stages;
        try {
            stages = Extensions.stageFactories(context, console);
        } catch (final ConfigException e) {
            source.close();
            err.println("trawl: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        final TrawlRun run = new TrawlRun(context, source, stages, console);
        installSignalHandlers(run, console);
        final TrawlRun.RunResult result;
        final ProgressBar bar = console.progressEnabled() && source.isFinite() ? new ProgressBar(run, console) : null;
        try {
            if (bar != null) {
                bar.start();
            }
            result = run.run();
        } catch (final UncheckedIOException | CaptureException e) {
            console.endProgress();
            err.println("trawl: " + e.getMessage());
            return ExitCodes.RUNTIME_FAILURE;
        } finally {
            if (bar != null) {
                bar.close();
            }
            console.endProgress();
            source.close();
        }
        report(result, context, console);
        if (result.failed()) {
            err.println("trawl: failed: " + result.failure());
            return ExitCodes.RUNTIME_FAILURE;
        }
        return ExitCodes.SUCCESS;
    }

    /**
     * When STATE holds T.async jobs an interrupted run did not finish, this run continues it: the
     * outputs are appended to, and without configured scripts the journal's scripts are loaded so the
     * jobs can run.
     */
    private void continueInterruptedRun(final TrawlContext context) {
        final Path stateDir = context.get(TrawlSettings.STATE) != null ? context.get(TrawlSettings.STATE)
            : context.outDir().resolve("state");
        final Interrupted interrupted = interruptedRun(stateDir, err);
        if (interrupted.unfinished() == 0) {
            return;
        }
        err.println("trawl: " + stateDir + " holds " + interrupted.unfinished() + " unfinished T.async job(s) of an "
            + "interrupted run: they run first, and this run's outputs are added to those in " + context.outDir());
        context.set(TrawlSettings.OUTPUTS_APPEND, true, "recovery");
        if (context.scripts().isEmpty() && !interrupted.scripts().isEmpty()) {
            err.println("trawl: loading the interrupted run's scripts to finish its jobs: " + interrupted.scripts());
            context.set(TrawlSettings.SCRIPTS, interrupted.scripts(), "recovery (journal)");
        }
    }

    /** What an interrupted run left in a state directory: unfinished T.async jobs and the scripts they need. */
    record Interrupted(long unfinished, List<Path> scripts) {
    }

    /**
     * Reads the journals in {@code stateDir}. When none holds an unfinished job, the journals left there are
     * removed (a run stopped while removing its finished journal, or killed right after its last delivery:
     * nothing to do, now or later), each named on {@code err}.
     */
    static Interrupted interruptedRun(final Path stateDir, final PrintStream err) {
        final List<Path> journals; // oldest first: journals an interrupted recovery set aside, then the newest
        try {
            journals = io.trawl.async.journal.Journal.journalsIn(stateDir.resolve("journal"));
        } catch (final java.io.IOException e) {
            return new Interrupted(0, List.of()); // no state directory yet: nothing to continue
        }
        final java.util.LinkedHashSet<String> scripts = new java.util.LinkedHashSet<>();
        final Map<Path, io.trawl.async.journal.JournalReader.Contents> finished = new java.util.LinkedHashMap<>();
        final List<io.trawl.async.journal.JournalReader.Contents> readable = new ArrayList<>();
        for (final Path dir : journals) {
            final io.trawl.async.journal.JournalReader.Contents contents = io.trawl.async.journal.JournalReader.readOnce(dir);
            if (contents.incompatible() == null) {
                readable.add(contents);
                finished.put(dir, contents);
            } else {
                err.println("trawl: " + contents.incompatible() + ": its jobs cannot be recovered (a run sets it aside)");
            }
        }
        // an interrupted recovery: the old journal holds the jobs, the newer one what became of them
        final io.trawl.async.journal.JournalReader.Contents all = readable.isEmpty() ? null
            : io.trawl.async.journal.JournalReader.merge(readable);
        long unfinished = 0;
        if (all != null) {
            String lastScript = null; // (one pass: a journal can hold millions of jobs, of few scripts)
            for (final io.trawl.async.journal.JournaledJob job : all.jobs().values()) {
                if (!all.isDelivered(job.id())) {
                    unfinished++;
                    final String script = job.scriptPath();
                    if (script != null && script != lastScript && !script.isEmpty()) {
                        scripts.add(script);
                        lastScript = script;
                    }
                }
            }
        }
        if (unfinished == 0) {
            for (final Map.Entry<Path, io.trawl.async.journal.JournalReader.Contents> entry : finished.entrySet()) {
                final Path dir = entry.getKey();
                final io.trawl.async.journal.JournalReader.Contents contents = entry.getValue();
                err.println("trawl: " + dir + " holds no unfinished T.async job: removed"
                    + (contents.damagedQueues() > 0 ? " (" + contents.damagedRecords() + " damaged record(s) at the end of "
                        + contents.damagedQueues() + " queue(s) could not be read)" : ""));
                io.trawl.async.journal.Journal.deleteFinished(dir);
            }
        }
        return new Interrupted(unfinished, scripts.stream().map(Path::of).toList());
    }

    private void report(final TrawlRun.RunResult result, final TrawlContext context, final TerminalConsole console) {
        final Map<String, Object> s = result.summary();
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
            "trawl: %s: %,d packets, %s, %,d flows in %.3f s (%,d packets/s) on %d pipeline(s)",
            s.get("status"), (Long) s.get("packets"), ProgressBar.humanBytes((Long) s.get("bytes")), (Long) s.get("flows"),
            ((Number) s.get("duration_s")).doubleValue(), (Long) s.get("packets_per_second"), (Integer) s.get("pipelines")));
        if (result.stopReason() != null) {
            line.append(" — stopped: ").append(result.stopReason());
        }
        console.info(line.toString());
        if (s.get("drops") instanceof Map<?, ?> drops) {
            final StringBuilder lost = new StringBuilder();
            drops.forEach((cause, count) -> {
                if (count instanceof Number n && n.longValue() > 0) {
                    lost.append(lost.isEmpty() ? "" : ", ").append(cause).append('=').append(n);
                }
            });
            if (!lost.isEmpty()) {
                console.warn("trawl: drops: " + lost);
            }
        }
        final Object decodeErrors = s.get("decode_errors");
        if (decodeErrors instanceof Number n && n.longValue() > 0) {
            console.warn("trawl: " + n + " packets had malformed headers (see decode in summary.json)");
        }
        console.info("trawl: outputs in " + context.outDir().toAbsolutePath().normalize() + " (summary.json)");
    }

    private static void installSignalHandlers(final TrawlRun run, final TerminalConsole console) {
        final List<String> signals = new ArrayList<>(List.of("INT", "TERM"));
        for (final String name : signals) {
            try {
                Signal.handle(new Signal(name), new SignalHandler() {
                    private volatile boolean once;

                    @Override
                    public void handle(final Signal signal) {
                        if (once) {
                            console.warn("trawl: SIG" + name + " again: exiting now");
                            Runtime.getRuntime().halt(128 + signal.getNumber());
                        }
                        once = true;
                        console.warn("trawl: SIG" + name + ": finishing (flushing flows and outputs); again to exit at once");
                        run.requestStop("SIG" + name);
                    }
                });
            } catch (final IllegalArgumentException e) {
                // signal not available on this platform
            }
        }
    }

    /** The bundled demo capture, generated on first use. */
    static Path ensureDemoCapture() {
        final Path capture = TrawlHome.demoCapture();
        if (!Files.exists(capture)) {
            try {
                Files.createDirectories(capture.getParent());
                final Path temporary = capture.resolveSibling("demo.pcap.tmp");
                DemoCapture.write(temporary);
                Files.move(temporary.resolveSibling("demo.pcap.tmp.sha256"), capture.resolveSibling("demo.pcap.sha256"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.move(temporary, capture, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (final java.io.IOException e) {
                throw new ConfigException(TrawlSettings.SOURCE.key(), "cannot generate the demo capture at "
                    + capture + ": " + e.getMessage());
            }
        }
        return capture;
    }
}
