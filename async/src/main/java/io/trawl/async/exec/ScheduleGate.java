package io.trawl.async.exec;

import io.trawl.async.job.AsyncJob;
import io.trawl.async.job.JobKind;

import java.util.ArrayDeque;

/**
 * Keeps a one-worker script first-in first-out around its schedules, for one pipeline: the jobs between
 * two schedules form an epoch; file operations of an epoch may be reordered among themselves (those on a
 * common path keep their order through the path FIFOs, and a write to another file cannot be observed
 * by them), but none goes before the schedule that opened its epoch, and a schedule goes only after every
 * job before it (an {@code onexecute} may read any file).
 *
 * <p>Threading: the conductor's thread only.
 */
final class ScheduleGate {
    /** One epoch: the schedule that opened it (0: the start) and its jobs not dispatched yet. */
    private static final class Epoch {
        final long scheduleSeq;
        boolean scheduleDispatched;
        long undispatched;

        Epoch(final long scheduleSeq, final boolean scheduleDispatched) {
            this.scheduleSeq = scheduleSeq;
            this.scheduleDispatched = scheduleDispatched;
        }
    }

    private final ArrayDeque<Epoch> epochs = new ArrayDeque<>();
    /** Jobs the gate held back, in admission order. */
    final ArrayDeque<AsyncJob> held = new ArrayDeque<>();
    /** True while the conductor releases held jobs (a nested release leaves it to the outer one). */
    boolean releasing;

    ScheduleGate() {
        epochs.add(new Epoch(0, true));
    }

    /** A job of this pipeline and script arrived (in submission order). */
    void admit(final AsyncJob job) {
        if (job.kind() == JobKind.SCHEDULE) {
            epochs.addLast(new Epoch(job.conductorSeq, false));
        } else {
            epochs.peekLast().undispatched++;
        }
    }

    /** True when {@code job} may be dispatched as far as the gate is concerned. */
    boolean open(final AsyncJob job) {
        settle();
        final Epoch head = epochs.peekFirst();
        return job.kind() == JobKind.SCHEDULE
            ? head.scheduleSeq == job.conductorSeq
            : head.scheduleSeq == job.lastScheduleSeq && head.scheduleDispatched;
    }

    /**
     * {@code job} was dispatched.
     *
     * @return true when the gate opened further (held jobs may go now)
     */
    boolean dispatched(final AsyncJob job) {
        final Epoch head = epochs.peekFirst();
        if (job.kind() == JobKind.SCHEDULE) {
            head.scheduleDispatched = true;
        } else {
            head.undispatched--;
        }
        final boolean opened = settle() || job.kind() == JobKind.SCHEDULE;
        return opened && !held.isEmpty();
    }

    /** Drops the epochs whose jobs were all dispatched once a later one exists; true when one was dropped. */
    private boolean settle() {
        boolean dropped = false;
        while (epochs.size() > 1 && epochs.peekFirst().scheduleDispatched && epochs.peekFirst().undispatched == 0) {
            epochs.pollFirst();
            dropped = true;
        }
        return dropped;
    }
}
