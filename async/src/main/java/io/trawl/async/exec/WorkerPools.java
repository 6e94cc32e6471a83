package io.trawl.async.exec;

import io.trawl.async.files.PathPolicy;

import java.util.ArrayList;
import java.util.List;

/** The workers of every script: {@code ScriptAsync.workers()} each, with a TaskRunner per worker. */
public final class WorkerPools {
    private final Worker[][] byScript;
    private final List<Worker> all = new ArrayList<>();

    public WorkerPools(final ScriptAsync[] scripts, final TaskRunner.Factory runners, final PathPolicy paths,
                       final int pipelines, final int queueCapacity, final io.trawl.async.journal.Journal journal) {
        byScript = new Worker[scripts.length][];
        for (final ScriptAsync script : scripts) {
            final Worker[] workers = new Worker[script.workers()];
            for (int w = 0; w < workers.length; w++) {
                workers[w] = new Worker(all.size(), w, script, runners.create(script.index(), w), paths, pipelines, queueCapacity,
                    journal == null ? null : journal.worker(all.size()));
                all.add(workers[w]);
            }
            byScript[script.index()] = workers;
        }
    }

    public Worker[][] byScript() {
        return byScript;
    }

    public List<Worker> all() {
        return List.copyOf(all);
    }
}
