package io.trawl.pipeline.script;

import io.trawl.pipeline.output.JsonLinesFile;
import io.trawl.pipeline.script.objects.Addresses;
import io.trawl.pipeline.script.objects.ScriptEnvironment;
import io.trawl.pipeline.script.objects.TLibrary;

import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The {@code T} services of one Lua state. {@code T.log*} lines go to {@code OUT/script_log.jsonl}
 * ({@code {"ts": <packet time s>|null, "level": "INFO", "script": ..., "pipeline": n|null, "message": ...}})
 * through a writer of the state's thread: a pipeline's states share their pipeline's writer, a worker
 * state opens its own (lines never interleave: each writer appends whole lines).
 */
final class StateEnvironment implements ScriptEnvironment {
    private final ScriptHost host;
    private final String script;
    private final int pipeline;
    private final LongSupplier packetClockSeconds;
    private final Path logPath;
    private JsonLinesFile log;
    private final boolean ownsLog;

    /**
     * @param sharedLog the pipeline's log writer, or null to open one on first use (worker states)
     * @param packetClockSeconds packet clock for "ts", or null (worker states)
     */
    StateEnvironment(final ScriptHost host, final String script, final int pipeline, final JsonLinesFile sharedLog,
                     final LongSupplier packetClockSeconds) {
        this.host = host;
        this.script = script;
        this.pipeline = pipeline;
        this.log = sharedLog;
        this.ownsLog = sharedLog == null;
        this.packetClockSeconds = packetClockSeconds;
        this.logPath = host.outputPath(ScriptHost.SCRIPT_LOG);
    }

    @Override
    public void log(final int level, final String message) {
        if (level > host.logLevel()) {
            return;
        }
        if (log == null) {
            log = new JsonLinesFile(logPath);
        }
        final JsonLinesFile out = log.begin();
        final long clock = packetClockSeconds == null ? Long.MIN_VALUE : packetClockSeconds.getAsLong();
        if (clock == Long.MIN_VALUE) {
            out.name("ts").rawValue("null");
        } else {
            out.field("ts", clock);
        }
        out.field("level", TLibrary.LOG_LEVELS[level]).field("script", script);
        if (pipeline < 0) {
            out.name("pipeline").rawValue("null");
        } else {
            out.field("pipeline", pipeline);
        }
        out.field("message", message).end();
        host.countLogLine();
        if (ownsLog) {
            out.flush();
        }
    }

    @Override
    public boolean isHomenet(final String address) {
        final byte[] bytes = Addresses.parse(address);
        for (final Addresses.Network network : host.homenets()) {
            if (network.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<String> homenets() {
        return host.homenets().stream().map(Addresses.Network::text).toList();
    }

    @Override
    public String config(final String path) {
        return host.config(path);
    }

    @Override
    public String contextId() {
        return host.contextId();
    }

    @Override
    public String probeId() {
        return host.probeId();
    }

    void close() {
        if (ownsLog && log != null) {
            log.close();
        }
    }
}
