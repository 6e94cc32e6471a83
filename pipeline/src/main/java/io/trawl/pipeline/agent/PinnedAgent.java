package io.trawl.pipeline.agent;

import io.trawl.bindings.libc.CpuAffinity;
import io.trawl.bindings.libc.Libc;
import org.agrona.concurrent.Agent;

/**
 * Runs another agent on a thread pinned to one CPU: {@link #onStart()} pins the calling (agent) thread
 * with {@code sched_setaffinity} before the first duty cycle. A CPU of -1 means unpinned.
 */
public final class PinnedAgent implements Agent {
    private final Agent delegate;
    private final int cpu;
    private volatile int threadId = -1;

    public PinnedAgent(final Agent delegate, final int cpu) {
        this.delegate = delegate;
        this.cpu = cpu;
    }

    @Override
    public void onStart() {
        if (cpu >= 0) {
            CpuAffinity.pinCurrentThread(cpu);
            // Only here: linking libc through FFM costs tens of milliseconds, which an unpinned run
            // (a replay benchmark, a test) should not pay before its first packet.
            if (Libc.isAvailable()) {
                threadId = Libc.gettid();
            }
        }
        delegate.onStart();
    }

    @Override
    public int doWork() throws Exception {
        return delegate.doWork();
    }

    @Override
    public void onClose() {
        delegate.onClose();
    }

    @Override
    public String roleName() {
        return delegate.roleName();
    }

    /** The CPU this agent is pinned to, or -1. */
    public int cpu() {
        return cpu;
    }

    /** The kernel thread id once started pinned, or -1 (not started, or unpinned). */
    public int threadId() {
        return threadId;
    }

    public Agent delegate() {
        return delegate;
    }
}
