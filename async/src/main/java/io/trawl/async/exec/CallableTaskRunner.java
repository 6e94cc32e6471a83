package io.trawl.async.exec;

import java.util.concurrent.Callable;

/**
 * Runs {@code schedule} tasks that are Java {@link Callable}s returning the result string: for embedding
 * trawl's async engine in Java code (and its tests). An interrupt interrupts the worker thread; a task
 * that ignores interrupts runs to its end and is then reported as timed out.
 */
public final class CallableTaskRunner implements TaskRunner {
    private volatile Thread thread;

    @Override
    public String run(final Object task) throws Exception {
        if (!(task instanceof Callable<?> callable)) {
            throw new IllegalArgumentException("not a Callable task: " + task);
        }
        thread = Thread.currentThread();
        try {
            final Object result = callable.call();
            return result == null ? null : result.toString();
        } finally {
            thread = null;
            Thread.interrupted(); // clear a late interrupt so it cannot hit the next task
        }
    }

    @Override
    public void interrupt() {
        final Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }
}
