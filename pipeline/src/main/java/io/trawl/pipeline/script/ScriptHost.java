package io.trawl.pipeline.script;

import io.trawl.config.ConfigException;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;
import io.trawl.pipeline.RunConsole;
import io.trawl.pipeline.output.JsonLinesFile;
import io.trawl.pipeline.script.lua.BitLib;
import io.trawl.pipeline.script.lua.BudgetedLoader;
import io.trawl.pipeline.script.lua.InstructionBudget;
import io.trawl.pipeline.script.lua.ScriptIoLib;
import io.trawl.pipeline.script.objects.Addresses;
import io.trawl.pipeline.script.objects.TLibrary;
import io.trawl.pipeline.script.objects.ViewScope;
import io.trawl.pipeline.script.output.CounterGroupDefinition;
import io.trawl.pipeline.script.output.CounterGroups;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.Bit32Lib;
import org.luaj.vm2.lib.CoroutineLib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;
import org.luaj.vm2.lib.jse.JseOsLib;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The run's Lua scripting: finds the script files ({@code scripts}: files, or directories whose
 * {@code *.lua} files are loaded in name order), parses and compiles each once, checks that it loads
 * (main chunk runs, {@code TrisulPlugin.id} complete, type tables well-formed) before any packet is read,
 * and creates Lua states for it: one per pipeline (a {@link ScriptInstance}) and, on request, worker
 * states for T.async ({@link #newWorkerState}).
 *
 * <p>Every state gets the standard Lua libraries (no {@code luajava}), LuaJIT's {@code bit} and the 5.1
 * names scripts use ({@code unpack}, {@code loadstring}, {@code table.getn}, {@code math.mod}), a
 * {@code print} that writes through the run's console, {@code require} that searches the script's
 * directory then {@code lua.lib_dirs}, the {@code T} table, and whatever {@link ScriptExtension}s add.
 * {@code os.exit} raises an error instead of ending the appliance.
 *
 * <p>Threading: loading and state creation for pipelines happen on the main thread before the pipelines
 * start; {@link #newWorkerState} may be called from any thread; the statistics are thread-safe.
 */
public final class ScriptHost {
    static final String SCRIPT_LOG = "script_log.jsonl";
    private static final String PRELUDE = """
        table.getn = table.getn or function(t) return #t end
        math.mod = math.mod or math.fmod
        math.pow = math.pow or function(a, b) return a ^ b end
        string.gfind = string.gfind or string.gmatch
        """;

    private final TrawlContext context;
    private final RunConsole console;
    private final List<ScriptExtension> extensions;
    private final boolean compile;
    private final long budgetSteps;
    private final List<Path> libraryDirectories;
    private final List<Addresses.Network> homenets;
    private final int logLevel;
    private final CounterGroups counterGroups;
    private final Map<String, String> declaredGroups = new ConcurrentHashMap<>();
    private final Map<String, ScriptErrorLog> errorLogs = new ConcurrentHashMap<>();
    private final List<ScriptSource> sources = new ArrayList<>();
    private final Map<String, String> badScripts = new LinkedHashMap<>();
    private final Map<String, String> interpretedBecause = new LinkedHashMap<>();
    private final Map<String, String> config = new HashMap<>();
    private final Set<String> definedCallbacks = ConcurrentHashMap.newKeySet();
    private final AtomicLong logLines = new AtomicLong();

    private ScriptHost(final TrawlContext context, final RunConsole console, final List<ScriptExtension> extensions) {
        this.context = context;
        this.console = console;
        this.extensions = List.copyOf(extensions);
        this.compile = "luajc".equals(context.get(TrawlSettings.SCRIPTS_COMPILE));
        this.budgetSteps = context.get(TrawlSettings.SCRIPTS_BUDGET);
        this.libraryDirectories = context.get(TrawlSettings.SCRIPTS_LIB_DIRS);
        this.counterGroups = new CounterGroups(context.get(TrawlSettings.SCRIPTS_BUCKET_SECONDS));
        final List<Addresses.Network> nets = new ArrayList<>();
        for (final String cidr : context.get(TrawlSettings.SCRIPTS_HOMENETS)) {
            try {
                nets.add(Addresses.Network.parse(cidr));
            } catch (final IllegalArgumentException e) {
                throw new ConfigException(TrawlSettings.SCRIPTS_HOMENETS.key(), e.getMessage());
            }
        }
        this.homenets = List.copyOf(nets);
        this.logLevel = List.of("emerg", "fatal", "alert", "crit", "error", "warn", "notice", "info", "debug")
            .indexOf(context.get(TrawlSettings.SCRIPTS_LOG_LEVEL));
        for (final Path dir : libraryDirectories) {
            if (!Files.isDirectory(dir)) {
                throw new ConfigException(TrawlSettings.SCRIPTS_LIB_DIRS.key(), "no such directory: " + dir);
            }
        }
        declareGroup(ScriptType.ALERTGROUP, "{9AFD8C08-07EB-47E0-BF05-28B4A7AE8DC9}", "IDS");
        declareGroup(ScriptType.ALERTGROUP, "{B5F1DECB-51D5-4395-B71B-6FA730B772D9}", "User Alerts");
        declareGroup(ScriptType.RESOURCEGROUP, "{4EF9DEB9-4332-4867-A667-6A30C5900E9E}", "URL");
        config.put("App>DBRoot", context.stateDir().toAbsolutePath().toString());
        config.put("App>DataDirectory", context.outDir().toAbsolutePath().toString());
        config.put("App>TempFolder", context.stateDir().resolve("tmp").toAbsolutePath().toString());
        config.put("App>LogDirectory", context.outDir().toAbsolutePath().toString());
        config.put("App>ContextName", context.get(TrawlSettings.SCRIPTS_CONTEXT_ID));
        config.put("Server>ProbeID", context.get(TrawlSettings.SCRIPTS_PROBE_ID));
    }

    /**
     * Finds, compiles and checks every script of the run (the context must be concluded).
     *
     * @throws ConfigException (exit code 2) naming {@code file:line} of every bad script, unless
     *                         {@code lua.skip_bad} is set (then they are reported and left out)
     */
    public static ScriptHost load(final TrawlContext context, final RunConsole console,
                                  final List<ScriptExtension> extensions) {
        final ScriptHost host = new ScriptHost(context, console, extensions);
        final Map<String, Path> files = host.findScripts(context.scripts());
        for (final Map.Entry<String, Path> file : files.entrySet()) {
            host.loadOne(file.getKey(), file.getValue());
        }
        if (!host.badScripts.isEmpty()) {
            final StringBuilder message = new StringBuilder();
            host.badScripts.forEach((name, error) -> message.append("\n  ").append(error));
            if (!context.get(TrawlSettings.SCRIPTS_SKIP_BAD)) {
                throw new ConfigException(TrawlSettings.SCRIPTS.key(), host.badScripts.size()
                    + " script(s) cannot be loaded (nothing was processed; --skip-bad-scripts loads the others):" + message);
            }
            console.warn("trawl: scripts: " + host.badScripts.size() + " script(s) skipped (--skip-bad-scripts):" + message);
        }
        host.interpretedBecause.forEach((name, why) ->
            console.warn("trawl: script " + name + ": LuaJC cannot compile it, it runs interpreted (" + why + ")"));
        return host;
    }

    private Map<String, Path> findScripts(final List<Path> entries) {
        final Map<String, Path> files = new LinkedHashMap<>();
        for (final Path entry : entries) {
            final List<Path> candidates;
            if (Files.isDirectory(entry)) {
                try (Stream<Path> list = Files.list(entry)) {
                    candidates = list.filter(p -> p.getFileName().toString().endsWith(".lua") && Files.isRegularFile(p))
                        .sorted().toList();
                } catch (final IOException e) {
                    throw new ConfigException(TrawlSettings.SCRIPTS.key(), "cannot list " + entry + ": " + e.getMessage());
                }
            } else if (Files.isRegularFile(entry)) {
                candidates = List.of(entry);
            } else {
                throw new ConfigException(TrawlSettings.SCRIPTS.key(), "no such script file or directory: " + entry);
            }
            for (final Path file : candidates) {
                final Path normalized = file.toAbsolutePath().normalize();
                if (files.containsValue(normalized)) {
                    continue;
                }
                String name = file.getFileName().toString();
                for (int n = 2; files.containsKey(name); n++) {
                    name = file.getFileName() + "#" + n;
                }
                files.put(name, normalized);
            }
        }
        return files;
    }

    private void loadOne(final String name, final Path file) {
        final ScriptSource source;
        try {
            source = ScriptSource.load(file, name, compile);
        } catch (final ScriptLoadException e) {
            badScripts.put(name, e.getMessage());
            return;
        }
        if (compile && !source.chunk().isCompiled()) {
            interpretedBecause.put(name, source.chunk().compileError());
        }
        errorLogs.put(name, new ScriptErrorLog(name, console));
        // a probe instance shows now, before any packet, whether the script loads; pipelines get their own
        try {
            final ScriptInstance probe = newInstance(source, 0, null, new ViewScope(), null);
            for (final String warning : probe.warnings()) {
                console.warn("trawl: script " + name + ": " + warning);
            }
            recordCallbacks(probe);
            probe.state().close();
            sources.add(source);
        } catch (final ScriptLoadException e) {
            badScripts.put(name, e.getMessage());
        }
    }

    /** Remembers which script types and callbacks a script defines ("filex_monitor.onfile_http"). */
    private void recordCallbacks(final ScriptInstance probe) {
        for (final ScriptType type : probe.types()) {
            definedCallbacks.add(type.key());
            final LuaValue table = probe.plugin().get(type.key());
            LuaValue key = LuaValue.NIL;
            while (true) {
                final Varargs entry = table.next(key);
                key = entry.arg1();
                if (key.isnil()) {
                    break;
                }
                if (key.isstring() && entry.arg(2).isfunction()) {
                    definedCallbacks.add(type.key() + "." + key.tojstring());
                }
            }
        }
    }

    /**
     * True when a loaded script defines the script type (when {@code callback} is null) or that callback of
     * it, as the script's table was after its main chunk ran. Lets a run install layers (reassembly, file
     * extraction) only when some script needs them.
     */
    public boolean anyScriptDefines(final ScriptType type, final String callback) {
        return definedCallbacks.contains(callback == null ? type.key() : type.key() + "." + callback);
    }

    /** A pipeline instance of a script: state, main chunk, validated TrisulPlugin. */
    ScriptInstance newInstance(final ScriptSource source, final int pipeline, final JsonLinesFile log,
                               final ViewScope scope, final LongSupplier clock) throws ScriptLoadException {
        final ScriptState state = newState(source, ScriptState.Role.PIPELINE, pipeline, log, scope, clock);
        final ScriptInstance instance = new ScriptInstance(state, budgetSteps);
        runMainChunk(state);
        instance.bind(this);
        return instance;
    }

    /**
     * A state for T.async workers: the script loaded (main chunk run, so {@code require}, {@code T.util},
     * {@code T.log*}, {@code io}, {@code os}, {@code print} work), no {@code onload}, no engine. Its budget
     * is unlimited (workers have wall-clock timeouts). Any thread.
     *
     * @throws ScriptLoadException when the main chunk fails in the new state
     */
    public ScriptState newWorkerState(final ScriptSource source) throws ScriptLoadException {
        final ScriptState state = newState(source, ScriptState.Role.WORKER, -1, null, new ViewScope(), null);
        runMainChunk(state);
        state.budget().unlimited();
        return state;
    }

    private ScriptState newState(final ScriptSource source, final ScriptState.Role role, final int pipeline,
                                 final JsonLinesFile log, final ViewScope scope, final LongSupplier clock) {
        final Globals globals = new Globals();
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new Bit32Lib());
        globals.load(new TableLib());
        globals.load(new StringLib());
        globals.load(new CoroutineLib());
        globals.load(new JseMathLib());
        globals.load(new ScriptIoLib());
        globals.load(new JseOsLib());
        LoadState.install(globals);
        LuaC.install(globals);
        final InstructionBudget budget = new InstructionBudget();
        final BudgetedLoader loader = new BudgetedLoader(budget, compile);
        loader.install(globals);
        globals.set("bit", BitLib.create());
        globals.set("unpack", globals.get("table").get("unpack"));
        globals.set("loadstring", globals.get("load"));
        globals.set("print", new PrintFunction(console));
        globals.get("os").set("exit", new VarArgFunction() {
            @Override
            public Varargs invoke(final Varargs args) {
                throw new LuaError("os.exit is not available to scripts (it would stop the appliance)");
            }
        });
        globals.get("package").set("path", LuaValue.valueOf(packagePath(source)));
        budget.unlimited();
        try {
            // interpreted: it runs once per state, compiling it would cost more than running it
            new LuaClosure(LuaC.instance.compile(new ByteArrayInputStream(PRELUDE.getBytes(StandardCharsets.UTF_8)),
                "=prelude"), globals).call();
        } catch (final IOException e) {
            throw new IllegalStateException("the built-in prelude does not compile", e);
        }
        final StateEnvironment environment = new StateEnvironment(this, source.name(), pipeline, log, clock);
        final LuaTable t = TLibrary.create(environment);
        globals.set("T", t);
        final ScriptState state = new ScriptState(this, source, role, pipeline, globals, t, loader, scope, environment);
        for (final ScriptExtension extension : extensions) {
            extension.install(state);
        }
        return state;
    }

    private void runMainChunk(final ScriptState state) throws ScriptLoadException {
        final ScriptSource source = state.source();
        state.budget().reset(budgetSteps);
        try {
            final LuaFunction main = state.loader().instantiate(source.chunk(), state.globals());
            main.call();
        } catch (final LuaError | InstructionBudget.Exhausted | StackOverflowError e) {
            throw new ScriptLoadException(ScriptErrorLog.describe(e, source.fileName()) + " (while loading)");
        } catch (final RuntimeException e) {
            throw new ScriptLoadException(ScriptErrorLog.describe(e, source.fileName()) + " (while loading)");
        }
        for (final ScriptExtension extension : extensions) {
            extension.loaded(state);
        }
    }

    private String packagePath(final ScriptSource source) {
        final StringBuilder path = new StringBuilder();
        final List<Path> dirs = new ArrayList<>();
        dirs.add(source.path().toAbsolutePath().getParent());
        dirs.addAll(libraryDirectories.stream().map(p -> p.toAbsolutePath().normalize()).toList());
        for (final Path dir : dirs) {
            path.append(path.isEmpty() ? "" : ";").append(dir).append("/?.lua;").append(dir).append("/?/init.lua");
        }
        return path.toString();
    }

    // ---- services for states and stages -------------------------------------------------------------

    public TrawlContext context() {
        return context;
    }

    public RunConsole console() {
        return console;
    }

    /** The scripts that loaded, in load order. */
    public List<ScriptSource> sources() {
        return List.copyOf(sources);
    }

    /** Scripts that could not be loaded (skipped with --skip-bad-scripts): name to message. */
    public Map<String, String> badScripts() {
        return Map.copyOf(badScripts);
    }

    public CounterGroups counterGroups() {
        return counterGroups;
    }

    void declareGroup(final ScriptType type, final String guid, final String name) {
        declaredGroups.putIfAbsent(type.key() + " " + CounterGroupDefinition.canonical(guid), name == null ? "" : name);
    }

    /** True when a script declared (or Trisul predefines) an alert or resource group with this GUID. */
    boolean isKnownGroup(final ScriptType type, final String canonicalGuid) {
        return declaredGroups.containsKey(type.key() + " " + canonicalGuid);
    }

    ScriptErrorLog errorLog(final String script) {
        return errorLogs.computeIfAbsent(script, s -> new ScriptErrorLog(s, console));
    }

    long budgetSteps() {
        return budgetSteps;
    }

    boolean compiles() {
        return compile;
    }

    int logLevel() {
        return logLevel;
    }

    void countLogLine() {
        logLines.incrementAndGet();
    }

    long logLines() {
        return logLines.get();
    }

    List<Addresses.Network> homenets() {
        return homenets;
    }

    String config(final String path) {
        for (final Map.Entry<String, String> entry : config.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(path)) {
                return entry.getValue();
            }
        }
        return null;
    }

    String contextId() {
        return context.get(TrawlSettings.SCRIPTS_CONTEXT_ID);
    }

    String probeId() {
        return context.get(TrawlSettings.SCRIPTS_PROBE_ID);
    }

    /** A file in the output directory. */
    Path outputPath(final String name) {
        return context.outDir().resolve(name);
    }

    /** Where packet_storage writes. */
    Path packetStorageDirectory() {
        final Path configured = context.get(TrawlSettings.SCRIPTS_PCAP_DIR);
        return configured != null ? configured : context.outDir().resolve("pcap");
    }

    /** {@code print}: the arguments, tab-separated, one console line per call. */
    private static final class PrintFunction extends VarArgFunction {
        private final RunConsole console;

        PrintFunction(final RunConsole console) {
            this.console = console;
        }

        @Override
        public Varargs invoke(final Varargs args) {
            final StringBuilder line = new StringBuilder();
            for (int i = 1; i <= args.narg(); i++) {
                if (i > 1) {
                    line.append('\t');
                }
                line.append(args.arg(i).tostring().tojstring());
            }
            console.scriptOutput(line.toString());
            return NONE;
        }
    }

}
