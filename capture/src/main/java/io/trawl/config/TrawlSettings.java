package io.trawl.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.trawl.config.ValueParser.arguments;
import static io.trawl.config.ValueParser.bool;
import static io.trawl.config.ValueParser.bytes;
import static io.trawl.config.ValueParser.choice;
import static io.trawl.config.ValueParser.cpuList;
import static io.trawl.config.ValueParser.integer;
import static io.trawl.config.ValueParser.listOf;
import static io.trawl.config.ValueParser.longValue;
import static io.trawl.config.ValueParser.path;
import static io.trawl.config.ValueParser.positiveSeconds;
import static io.trawl.config.ValueParser.text;

/**
 * Every trawl setting, declared once. A config file uses the dotted keys (nested YAML maps flatten to
 * them: {@code flow: {timeout: {tcp: 300}}} is {@code flow.timeout.tcp}); the command line uses the
 * options. Unknown keys and bad values are errors that name the key.
 */
public final class TrawlSettings {
    private static final Map<String, Setting<?>> BY_KEY = new LinkedHashMap<>();

    // ---- run ------------------------------------------------------------------------------------
    public static final Setting<String> SOURCE = define("source", "--source", null, "the bundled demo capture",
        "Where packets come from: pcap:PATH (pcap or pcapng file replay), dpdk:DEVARGS (a DPDK port: "
            + "net_pcap0,rx_pcap=FILE, net_null0, a PCI address...), afxdp:IFACE[@QUEUE] (AF_XDP; every active RX "
            + "queue without @QUEUE), afpacket:IFACE (TPACKET_V3, fanned out over the pipelines).", text());
    public static final Setting<List<Path>> SCRIPTS = define("scripts", "--script", List.of(), "none",
        "Lua scripts to load: files, or directories whose *.lua files are loaded (repeat --script).", listOf(path()));
    public static final Setting<Path> OUT = define("out", "--out", Path.of("trawl-out"), "./trawl-out",
        "Output directory: summary.json, flows.jsonl and every other output.", path());
    public static final Setting<Path> STATE = define("state", "--state", null, "OUT/state",
        "State directory: counters file, async journal, file-extraction staging.", path());
    public static final Setting<Integer> PIPELINES = define("pipelines", "--pipelines", 1, "1",
        "Number of fast-path threads. Flows are spread over them by a symmetric hash.", integer(1, 256));
    public static final Setting<int[]> CPUS = define("cpus", "--cpus", null, "unpinned",
        "CPUs to pin the pipeline threads to, in order (1, 2-5, 1,3); needs one CPU per pipeline.", cpuList());
    public static final Setting<String> SPEED = define("speed", "--speed", "topspeed", "topspeed",
        "Replay pace: topspeed (as fast as possible) or realtime (packet timestamps set the pace).",
        choice("topspeed", "realtime"));
    public static final Setting<Double> DURATION = define("duration", "--duration", null, "none",
        "Stop after this many seconds of wall time (fractions allowed).", positiveSeconds());
    public static final Setting<Long> COUNT = define("count", "--count", null, "none",
        "Stop after this many packets.", longValue(1, Long.MAX_VALUE));
    public static final Setting<String> PROGRESS = define("progress", "--progress", "auto", "auto",
        "Progress bar for replays: auto (only on a terminal), always, never.", choice("auto", "always", "never"));

    public static final Setting<Boolean> OUTPUTS_APPEND = define("outputs.append", null, false, "false",
        "Append to the JSON Lines outputs of OUT instead of starting them afresh. Set automatically when a run "
            + "continues an interrupted one (STATE holds unfinished T.async jobs), so recovered results join the "
            + "interrupted run's outputs.", bool());

    // ---- pipeline -------------------------------------------------------------------------------
    public static final Setting<String> PIPELINE_IDLE = define("pipeline.idle_strategy", null, "backoff", "backoff",
        "What an idle pipeline thread does: busy-spin (lowest latency; dedicate the CPU), yield, backoff "
            + "(spin, yield, then park up to 1 ms), sleep (park 1 ms).", choice("busy-spin", "yield", "backoff", "sleep"));
    public static final Setting<Integer> PIPELINE_BATCH = define("pipeline.batch_size", null, 64, "64",
        "Packets a pipeline takes per poll before it checks its other duties (completions, timers).", integer(1, 4096));
    public static final Setting<Long> PIPELINE_RING_BYTES = define("pipeline.ring_bytes", null, 4L << 20, "4m",
        "Size of each hand-off ring between a dispatcher and a pipeline (power of two).", bytes(2L << 20, 1L << 30));
    public static final Setting<Integer> DISPATCHER_CPU = define("dispatcher.cpu", null, null, "unpinned",
        "CPU to pin the dispatcher thread to (used when the source has fewer queues than pipelines).", integer(0, 1023));

    // ---- flows ----------------------------------------------------------------------------------
    public static final Setting<Integer> FLOW_MAX = define("flow.max_flows", null, 262_144, "262144",
        "Flows tracked per pipeline. Packets of new flows beyond it are counted (drops.flow_table_full), "
            + "not tracked.", integer(1024, 1 << 26));
    public static final Setting<Double> FLOW_TIMEOUT_TCP = define("flow.timeout.tcp", null, 3600.0, "3600",
        "Seconds of packet time after which an idle TCP flow ends.", positiveSeconds());
    public static final Setting<Double> FLOW_TIMEOUT_UDP = define("flow.timeout.udp", null, 60.0, "60",
        "Seconds of packet time after which an idle UDP flow ends.", positiveSeconds());
    public static final Setting<Double> FLOW_TIMEOUT_OTHER = define("flow.timeout.other", null, 60.0, "60",
        "Seconds of packet time after which an idle flow of another protocol (ICMP...) ends.", positiveSeconds());
    public static final Setting<Boolean> FLOW_LOG = define("flow.log", null, true, "true",
        "Write OUT/flows.jsonl, one line per ended flow.", bool());

    // ---- DPDK (dpdk: sources) ---------------------------------------------------------------------
    public static final Setting<List<String>> DPDK_EAL_ARGS = define("dpdk.eal_args", "--eal-args", List.of(), "none",
        "Extra DPDK EAL arguments for dpdk: sources, e.g. \"--no-huge -m 512 --no-pci\" (split like a shell "
            + "would; repeatable). trawl adds -l (the first CPU it may use) unless an lcore option is given, and "
            + "its own --file-prefix (one per run).", arguments());
    public static final Setting<Integer> DPDK_MBUFS = define("dpdk.mbufs", null, 8191, "8191",
        "Packet buffers (mbufs) in the pool of each DPDK RX queue; 2^n - 1 wastes least memory.", integer(64, 16_777_215));
    public static final Setting<Integer> DPDK_MBUF_CACHE = define("dpdk.mbuf_cache", null, 256, "256",
        "Per-thread cache of each DPDK mbuf pool (0 to 512, at most dpdk.mbufs / 1.5).", integer(0, 512));
    public static final Setting<Integer> DPDK_RX_DESCRIPTORS = define("dpdk.rx_descriptors", null, 1024, "1024",
        "RX ring entries of each DPDK queue (the driver may round it).", integer(16, 32_768));
    public static final Setting<Integer> DPDK_BURST = define("dpdk.burst", null, 32, "32",
        "Packets taken from a DPDK queue per receive burst.", integer(1, 512));
    public static final Setting<String> DPDK_RSS = define("dpdk.rss", null, "auto", "auto",
        "auto: one RX queue per pipeline, flows spread by the device with a symmetric Toeplitz key when it supports "
            + "RSS (else one queue and the dispatcher's software flow hash); off: always one queue.",
        choice("auto", "off"));
    public static final Setting<Boolean> DPDK_PROMISCUOUS = define("dpdk.promiscuous", null, true, "true",
        "Put DPDK ports in promiscuous mode (receive frames for every MAC address).", bool());

    // ---- Lua scripts (the script host) --------------------------------------------------------------
    // The list of scripts itself is the run setting `scripts` (--script) above; the host's own settings
    // live under `lua.` so that a config file can nest them (`lua: {budget: ...}`) beside `scripts: [...]`.
    public static final Setting<Boolean> SCRIPTS_SKIP_BAD = define("lua.skip_bad", "--skip-bad-scripts", false,
        "false", "Load the good scripts and report the bad ones (syntax error, missing id) instead of refusing "
            + "to run (exit code 2).", bool());
    public static final Setting<List<Path>> SCRIPTS_LIB_DIRS = define("lua.lib_dirs", "--script-lib", List.of(),
        "none", "Extra directories `require` searches (after the script's own directory), in order.", listOf(path()));
    public static final Setting<String> SCRIPTS_COMPILE = define("lua.compile", null, "luajc", "luajc",
        "How scripts run: luajc (compiled to JVM bytecode; a script LuaJC cannot compile falls back to the "
            + "interpreter, reported) or interpreter.", choice("luajc", "interpreter"));
    public static final Setting<Long> SCRIPTS_BUDGET = define("lua.budget", null, 20_000_000L, "20000000",
        "Steps (function calls plus loop iterations) one callback may take before it is stopped as a runaway "
            + "and counted.", longValue(1_000, Long.MAX_VALUE));
    public static final Setting<Integer> SCRIPTS_BUCKET_SECONDS = define("lua.counters.bucket_seconds", null, 60,
        "60", "Bucket size (seconds of packet time) of counter groups whose control table sets no bucketsize.",
        integer(1, 86_400));
    public static final Setting<List<String>> SCRIPTS_HOMENETS = define("lua.homenets", null,
        List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
        "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7",
        "Home networks (CIDR) for T.host:is_homenet and T.host:get_homenets.", listOf(text()));
    public static final Setting<String> SCRIPTS_LOG_LEVEL = define("lua.log_level", null, "info", "info",
        "Least severe T.log level written to OUT/script_log.jsonl: emerg, fatal, alert, crit, error, warn, "
            + "notice, info, debug.", choice("emerg", "fatal", "alert", "crit", "error", "warn", "notice", "info", "debug"));
    public static final Setting<String> SCRIPTS_PROBE_ID = define("lua.probe_id", null, "probe0", "probe0",
        "What T.probeid and engine:probeid() return.", text());
    public static final Setting<String> SCRIPTS_CONTEXT_ID = define("lua.context_id", null, "context0", "context0",
        "What T.contextid returns.", text());
    public static final Setting<Path> SCRIPTS_PCAP_DIR = define("lua.packet_storage.dir", null, null, "OUT/pcap",
        "Where packet_storage writes its rotating pcap files (one series per pipeline).", path());
    public static final Setting<Long> SCRIPTS_PCAP_FILE_BYTES = define("lua.packet_storage.file_bytes", null,
        64L << 20, "64m", "Size at which a packet_storage pcap file is closed and the next one started.",
        bytes(64L << 10, 1L << 40));
    public static final Setting<Integer> SCRIPTS_PCAP_MAX_FILES = define("lua.packet_storage.max_files", null, 0,
        "0 (keep all)", "Most pcap files kept per pipeline; the oldest is deleted (and counted) beyond it.",
        integer(0, 1_000_000));

    // ---- TCP reassembly and HTTP file extraction -------------------------------------------------
    public static final Setting<Long> REASSEMBLY_MEMCAP_FLOW = define("reassembly.memcap_flow", null, 1L << 20, "1m",
        "Out-of-order bytes buffered per TCP flow; beyond it the flow's holes become gaps (counted: "
            + "reassembly.memcap_drops_flow).", bytes(16L << 10, 1L << 32));
    public static final Setting<Long> REASSEMBLY_MEMCAP = define("reassembly.memcap", null, 256L << 20, "256m",
        "Out-of-order bytes buffered by all pipelines together (split evenly); beyond it holes become gaps "
            + "(counted: reassembly.memcap_drops_global).", bytes(1L << 20, 1L << 40));
    public static final Setting<Path> FILEX_RAMFS_DIR = define("filex.ramfs_dir", null, null, "STATE/filex",
        "Staging directory for extracted HTTP bodies in file mode (when a script has onfile_http). Use a tmpfs.", path());
    public static final Setting<Integer> FILEX_CHUNK_SIZE_MB = define("filex.chunk_size_mb", null, 5, "5",
        "Bodies larger than this many MiB are staged in parts <name>.<offset>.part (is_partial = true).",
        integer(1, 4096));

    // ---- T.async ----------------------------------------------------------------------------------
    public static final Setting<List<Path>> ASYNC_ALLOWED_ROOTS = define("async.allowed_roots", "--allow-path", List.of(),
        "OUT, STATE and filex.ramfs_dir only", "Directories T.async file operations may touch, besides the output and "
            + "state directories and filex.ramfs_dir (repeat --allow-path). Paths outside them, '..' and symlink escapes are refused and counted.", listOf(path()));
    public static final Setting<Integer> ASYNC_WORKERS_MAX = define("async.workers_max", null, 16, "16",
        "Most T.async worker threads over all scripts; scripts ask with TrisulPlugin.request_async_workers (default 1).",
        integer(1, 1024));
    public static final Setting<int[]> ASYNC_CPUS = define("async.cpus", null, null, "unpinned",
        "CPUs to pin T.async workers to, assigned round-robin (same syntax as --cpus).", cpuList());
    public static final Setting<String> ASYNC_IDLE = define("async.idle_strategy", null, "backoff", "backoff",
        "What an idle T.async worker does (busy-spin, yield, backoff, sleep).", choice("busy-spin", "yield", "backoff", "sleep"));
    public static final Setting<Integer> ASYNC_QUEUE_JOBS = define("async.queue_jobs", null, 100_000, "100000",
        "Most unfinished T.async jobs per script; beyond it calls are rejected and counted (async.rejected), "
            + "the fast path never waits.", integer(16, 1 << 26));
    public static final Setting<Long> ASYNC_QUEUE_BYTES = define("async.queue_bytes", null, 256L << 20, "256m",
        "Most bytes staged by unfinished copybuffer calls per script; beyond it calls are rejected and counted.",
        bytes(64L << 10, 1L << 40));
    public static final Setting<Double> ASYNC_TIMEOUT = define("async.timeout", null, 60.0, "60",
        "Wall-clock seconds an onexecute may run; then the job fails (async.timed_out) and child processes it "
            + "started are killed.", positiveSeconds());

    public static final Setting<String> ASYNC_JOURNAL_SYNC = define("async.journal.sync", null, "batch", "batch",
        "How T.async's journal reaches the disk: none (page cache; survives a process crash), batch (fsync every "
            + "100 ms; also survives a kernel crash or power loss except the last 100 ms), always (fsync per record).",
        choice("none", "batch", "always"));
    public static final Setting<Boolean> ASYNC_JOURNAL = define("async.journal.enabled", null, true, "true",
        "Journal every T.async job in STATE/journal before a worker sees it, so a restart finishes jobs a crash "
            + "interrupted.", bool());
    public static final Setting<Long> ASYNC_JOURNAL_MAX_BYTES = define("async.journal.max_bytes", null, 4L << 30, "4g",
        "Disk the journal may use; beyond it new T.async calls are rejected (counted as async.journal_full).",
        bytes(16L << 20, 1L << 44));

    // ---- live capture: AF_XDP and AF_PACKET ------------------------------------------------------
    public static final Setting<String> AFXDP_XDP_MODE = define("afxdp.xdp_mode", "--xdp-mode", "auto", "auto",
        "Where afxdp: runs its XDP redirect program: drv (native, in the driver; needed for zero-copy), skb "
            + "(generic, any device, copies), auto (drv, falling back to skb with a message).", choice("auto", "drv", "skb"));
    public static final Setting<String> AFXDP_BIND_MODE = define("afxdp.bind_mode", "--xdp-bind", "auto", "auto",
        "How afxdp: sockets receive: zerocopy (the NIC writes into trawl's memory; drv mode and driver support), copy "
            + "(the kernel copies), auto (zerocopy where the driver has it, else copy, with a message).",
        choice("auto", "copy", "zerocopy"));
    public static final Setting<Integer> AFXDP_FRAME_SIZE = define("afxdp.frame_size", "--xdp-frame-size", 2048, "2048",
        "Bytes per afxdp: UMEM frame, 2048 or 4096; a packet must fit in a frame minus 256 bytes of headroom "
            + "(larger ones are dropped and counted).", frameSize());
    public static final Setting<Integer> AFXDP_RX_RING = define("afxdp.rx_ring", "--xdp-rx-ring", 16384, "16384",
        "Entries of each afxdp: RX ring (power of two); a full ring drops packets (drops.afxdp_rx_ring_full).",
        powerOfTwo(64, 1 << 20));
    public static final Setting<Integer> AFXDP_FILL_RING = define("afxdp.fill_ring", "--xdp-fill-ring", 16384, "16384",
        "Entries of each afxdp: fill ring (power of two): free frames the kernel may receive into.",
        powerOfTwo(64, 1 << 20));
    public static final Setting<Integer> AFXDP_FRAMES = define("afxdp.frames", "--xdp-frames", null,
        "fill_ring + rx_ring", "UMEM frames per afxdp: socket (memory: frames x frame_size; above RLIMIT_MEMLOCK it "
            + "needs CAP_IPC_LOCK).", integer(64, 1 << 24));
    public static final Setting<String> AFXDP_WAIT = define("afxdp.wait", "--xdp-wait", "poll", "poll",
        "What an idle afxdp: queue does: poll (sleep in poll() until packets arrive, at most 1 ms at a time) or "
            + "busy-poll (never sleep; SO_BUSY_POLL lets the capture thread run the driver's receive work; pair with "
            + "pipeline.idle_strategy busy-spin and dedicated --cpus).", choice("poll", "busy-poll"));
    public static final Setting<Integer> AFXDP_COALESCE = define("afxdp.coalesce_us", null, 1000, "1000",
        "In poll mode, while traffic flows, the longest (microseconds) an emptied afxdp: queue sleeps before looking "
            + "again, so packets are handled in batches with fewer wakeups (the sleep adapts to the rate, aiming at a "
            + "quarter-full RX ring); at most this much added latency. Keep it below rx_ring / line rate (16384 at "
            + "14.88 Mpps: 1.1 ms). 0: wake in poll() for every packet.", integer(0, 100_000));
    public static final Setting<Long> AFPACKET_BLOCK_SIZE = define("afpacket.block_size", "--afpacket-block-size",
        1L << 20, "1m", "Bytes per afpacket: TPACKET_V3 ring block (power of two, at least 4k); a packet must fit in one.",
        bytes(4096, 1L << 30));
    public static final Setting<Integer> AFPACKET_BLOCKS = define("afpacket.blocks", "--afpacket-blocks", 64, "64",
        "Blocks per afpacket: ring (one ring per pipeline); a full ring drops packets (drops.afpacket_ring_full).",
        integer(2, 1 << 16));
    public static final Setting<Integer> AFPACKET_BLOCK_TIMEOUT = define("afpacket.block_timeout_ms", null, 10, "10",
        "Milliseconds after which the kernel hands a partly filled afpacket: block to trawl (latency at low rates).",
        integer(1, 60_000));
    public static final Setting<String> AFPACKET_WAIT = define("afpacket.wait", "--afpacket-wait", "poll", "poll",
        "What an idle afpacket: queue does: poll (sleep in poll() until a block is ready, at most 1 ms at a time) or "
            + "busy-poll (never sleep; check the ring again).", choice("poll", "busy-poll"));

    private TrawlSettings() {
    }

    /** A power of two in {@code [min, max]}. */
    private static ValueParser<Integer> powerOfTwo(final int min, final int max) {
        final ValueParser<Integer> range = integer(min, max);
        return raw -> {
            final int value = range.parse(raw);
            if (Integer.bitCount(value) != 1) {
                throw new IllegalArgumentException("expected a power of two (e.g. 2048, 4096, 8192), got " + raw);
            }
            return value;
        };
    }

    /** An AF_XDP frame size: 2048 or 4096. */
    private static ValueParser<Integer> frameSize() {
        final ValueParser<Integer> range = integer(2048, 4096);
        return raw -> {
            final int value = range.parse(raw);
            if (value != 2048 && value != 4096) {
                throw new IllegalArgumentException("expected 2048 or 4096, got " + raw);
            }
            return value;
        };
    }

    private static <T> Setting<T> define(final String key, final String option, final T defaultValue,
                                         final String defaultText, final String meaning, final ValueParser<T> parser) {
        final Setting<T> setting = new Setting<>(key, option, defaultValue, defaultText, meaning, parser);
        if (BY_KEY.put(key, setting) != null) {
            throw new IllegalStateException("setting declared twice: " + key);
        }
        return setting;
    }

    /** Every setting, in declaration order. */
    public static List<Setting<?>> all() {
        return Collections.unmodifiableList(new ArrayList<>(BY_KEY.values()));
    }

    /** The setting with this dotted key, or null. */
    public static Setting<?> byKey(final String key) {
        return BY_KEY.get(key);
    }

    /** The setting set by this command-line option (e.g. {@code --pipelines}), or null. */
    public static Setting<?> byOption(final String option) {
        for (final Setting<?> setting : BY_KEY.values()) {
            if (option.equals(setting.option())) {
                return setting;
            }
        }
        return null;
    }

    /** The reference table of every setting, Markdown, as the README shows it. */
    public static String referenceMarkdown() {
        final StringBuilder out = new StringBuilder("| key | option | default | meaning |\n|---|---|---|---|\n");
        for (final Setting<?> s : BY_KEY.values()) {
            out.append("| `").append(s.key()).append("` | ")
                .append(s.option() == null ? "" : "`" + s.option() + "`").append(" | ")
                .append(s.defaultText()).append(" | ").append(s.meaning()).append(" |\n");
        }
        return out.toString();
    }
}
