package io.trawl.async.lua;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The child processes a worker's Lua state started ({@code io.popen}, {@code os.execute}), so that an
 * onexecute timeout can kill them and everything they started. Commands run through {@code /bin/sh -c},
 * as in C Lua.
 *
 * <p>Threading: the worker starts processes; the conductor may call {@link #killAll()} at any time.
 */
public final class ProcessTracker {
    private final List<Process> live = new ArrayList<>();

    /** Starts {@code command} with the given redirections for stdin and stdout (stderr is inherited). */
    public Process start(final String command, final ProcessBuilder.Redirect input, final ProcessBuilder.Redirect output)
        throws IOException {
        final Process process = new ProcessBuilder("/bin/sh", "-c", command)
            .redirectInput(input).redirectOutput(output).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        synchronized (live) {
            live.removeIf(p -> !p.isAlive());
            live.add(process);
        }
        return process;
    }

    /** Kills every live child and its descendants. Any thread. */
    public void killAll() {
        final List<Process> snapshot;
        synchronized (live) {
            snapshot = new ArrayList<>(live);
        }
        for (final Process process : snapshot) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** Children still alive (for tests). */
    public int alive() {
        synchronized (live) {
            live.removeIf(p -> !p.isAlive());
            return live.size();
        }
    }
}
