package io.trawl.cli;

import io.trawl.config.Setting;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.counters.CountersFile;
import org.agrona.concurrent.status.CountersReader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code trawl}: the command line entry point. */
@Command(name = "trawl", mixinStandardHelpOptions = true, versionProvider = TrawlCommand.Version.class,
    description = "High-performance packet capture with Trisul-compatible Lua scripting and T.async.",
    subcommands = {TrawlCommand.Run.class, TrawlCommand.Demo.class, TrawlCommand.Recover.class, TrawlCommand.Counters.class,
        TrawlCommand.Config.class, CommandLine.HelpCommand.class})
public final class TrawlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return ExitCodes.USAGE;
    }

    /** Runs the command line and returns the exit code. */
    public static int execute(final PrintStream out, final PrintStream err, final String... args) {
        final CommandLine commandLine = new CommandLine(new TrawlCommand());
        SettingOptions.addTo(commandLine.getSubcommands().get("run").getCommandSpec());
        SettingOptions.addTo(commandLine.getSubcommands().get("demo").getCommandSpec());
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((exception, line, parsed) -> {
            err.println("trawl: internal error: " + exception);
            exception.printStackTrace(err);
            return ExitCodes.RUNTIME_FAILURE;
        });
        Streams.set(out, err);
        return commandLine.execute(args);
    }

    public static void main(final String[] args) {
        System.exit(execute(System.out, System.err, args));
    }

    /** The streams a command writes to (System.out/err, or a test's). */
    static final class Streams {
        static PrintStream out = System.out;
        static PrintStream err = System.err;

        static void set(final PrintStream o, final PrintStream e) {
            out = o;
            err = e;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Capture or replay packets through the pipelines and scripts; writes OUT/summary.json.")
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML config file; every option has a key "
            + "(see `trawl config`). Options on the command line override it.")
        Path config;

        @Option(names = "--print-config", description = "Print the effective settings before running.")
        boolean printConfig;

        @Override
        public Integer call() {
            return new RunExecution(Streams.out, Streams.err).execute(spec, config, printConfig, Map.of());
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Replay the bundled demo capture with the bundled example scripts into ./trawl-out/demo.")
    static final class Demo implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML config file.")
        Path config;

        @Option(names = "--print-config", description = "Print the effective settings before running.")
        boolean printConfig;

        @Override
        public Integer call() {
            final Map<Setting<?>, Object> defaults = new LinkedHashMap<>();
            defaults.put(TrawlSettings.OUT, Path.of("trawl-out", "demo").toString());
            final Path scripts = TrawlHome.scripts();
            if (Files.isDirectory(scripts)) {
                defaults.put(TrawlSettings.SCRIPTS, List.of(scripts.toString()));
            }
            defaults.put(TrawlSettings.SOURCE, "pcap:" + RunExecution.ensureDemoCapture());
            Streams.out.println("trawl demo: replaying " + TrawlHome.demoCapture() + " (generated HTTP downloads, DNS, "
                + "ICMP, NTP; checksums of the downloaded files in demo.pcap.sha256)");
            return new RunExecution(Streams.out, Streams.err).execute(spec, config, printConfig, defaults);
        }
    }

    @Command(name = "recover", mixinStandardHelpOptions = true,
        description = "Only finish the T.async jobs an interrupted run left in its state directory (no capture); "
            + "their outputs (files, alerts, resources) go where the interrupted run wrote them.")
    static final class Recover implements Callable<Integer> {
        @Option(names = "--state", paramLabel = "DIR", required = true, description = "The interrupted run's state directory.")
        Path state;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "The interrupted run's output directory.")
        Path out;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (e.g. the interrupted run's).")
        Path config;

        @Option(names = "--script", paramLabel = "FILE", description = "Scripts to load (default: those the journal names).")
        List<Path> scripts;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (!java.nio.file.Files.isDirectory(state)) {
                Streams.err.println("trawl: no state directory at " + state);
                return ExitCodes.USAGE;
            }
            final boolean any;
            try {
                any = !io.trawl.async.journal.Journal.journalsIn(state.resolve("journal")).isEmpty();
            } catch (final java.io.IOException e) {
                Streams.err.println("trawl: cannot read the state directory " + state + ": " + e.getMessage());
                return ExitCodes.USAGE;
            }
            if (!any || RunExecution.interruptedRun(state, Streams.err).unfinished() == 0) {
                // (journals holding nothing unfinished were just removed; the outputs stay as they are)
                Streams.out.println("trawl: nothing to recover in " + state);
                return ExitCodes.SUCCESS;
            }
            final Map<Setting<?>, Object> defaults = new LinkedHashMap<>();
            defaults.put(TrawlSettings.SOURCE, "none:");
            defaults.put(TrawlSettings.STATE, state.toString());
            defaults.put(TrawlSettings.OUT, out.toString());
            defaults.put(TrawlSettings.OUTPUTS_APPEND, "true");
            if (scripts != null && !scripts.isEmpty()) {
                defaults.put(TrawlSettings.SCRIPTS, scripts.stream().map(Path::toString).toList());
            }
            return new RunExecution(Streams.out, Streams.err).execute(spec, config, false, defaults);
        }
    }

    @Command(name = "counters", mixinStandardHelpOptions = true,
        description = "Print the live counters of a running (or finished) trawl from its state directory.")
    static final class Counters implements Callable<Integer> {
        @Option(names = "--state", paramLabel = "DIR", required = true, description = "The run's state directory.")
        Path state;

        @Override
        public Integer call() {
            final Path file = state.resolve("counters.dat");
            if (!Files.exists(file)) {
                Streams.err.println("trawl: no counters file at " + file);
                return ExitCodes.USAGE;
            }
            final CountersReader reader;
            try {
                reader = CountersFile.openReader(file);
            } catch (final IllegalArgumentException e) {
                Streams.err.println("trawl: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            reader.forEach((value, id, label) -> Streams.out.printf("%,20d  %s%n", value, label));
            return ExitCodes.SUCCESS;
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true,
        description = "Print every setting: config key, option, default and meaning (Markdown).")
    static final class Config implements Callable<Integer> {
        @Option(names = "--update-readme", paramLabel = "FILE",
            description = "Rewrite the settings table between the settings markers of FILE (README.md).")
        Path readme;

        @Override
        public Integer call() throws java.io.IOException {
            if (readme == null) {
                Streams.out.print(TrawlSettings.referenceMarkdown());
                return ExitCodes.SUCCESS;
            }
            final String text = Files.readString(readme);
            final String begin = "<!-- settings:begin -->\n";
            final String end = "<!-- settings:end -->";
            final int from = text.indexOf(begin);
            final int to = text.indexOf(end);
            if (from < 0 || to < from) {
                Streams.err.println("trawl: " + readme + " has no settings markers");
                return ExitCodes.USAGE;
            }
            Files.writeString(readme, text.substring(0, from + begin.length()) + TrawlSettings.referenceMarkdown()
                + text.substring(to));
            return ExitCodes.SUCCESS;
        }
    }

    /** {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String version = TrawlCommand.class.getPackage().getImplementationVersion();
            return new String[] {"trawl " + (version == null ? "dev" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")"};
        }
    }
}
