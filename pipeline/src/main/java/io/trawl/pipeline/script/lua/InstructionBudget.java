package io.trawl.pipeline.script.lua;

/**
 * How many more steps (function entries plus loop iterations) the running callback of one Lua state may
 * take. The host {@link #reset}s it before each callback; compiled code calls {@link #tick()} at every
 * loop head and function entry, the interpreter hook at every backward jump and call. When it runs out,
 * {@link Exhausted} is thrown: a {@link Error}, so a script's {@code pcall} cannot swallow it, and it stays
 * exhausted (every further tick throws again) until the host resets it.
 *
 * <p>Threading: one instance per Lua state; only the thread running that state touches it (LuaJ
 * coroutines run on helper threads but strictly alternate with their resumer).
 */
public final class InstructionBudget {
    /** Steps between interrupt checks of an {@link #interruptible()} budget. */
    private static final long SLICE = 1 << 20;

    private long remaining = Long.MAX_VALUE;
    private long limit = Long.MAX_VALUE;
    private boolean interruptible;
    private volatile boolean interruptRequested;
    private String location;
    private String deepCall;

    /** Gives the next callback {@code steps} steps. */
    public void reset(final long steps) {
        limit = steps;
        remaining = steps;
        location = null;
        deepCall = null;
    }

    /** The interpreter noted a very deep call at {@code where} ({@code file:line}). */
    void deepCall(final String where) {
        deepCall = where;
    }

    /** Where interpreted code recursed deeply during the current callback, or null (for stack overflows). */
    public String deepCallLocation() {
        return deepCall;
    }

    /** No limit (loading a chunk, worker states that have their own timeouts). */
    public void unlimited() {
        interruptible = false;
        reset(Long.MAX_VALUE);
    }

    /**
     * No step limit, but {@link #interrupt()} from another thread stops the running code within a slice
     * of steps (T.async's onexecute timeout). The fast-path cost stays one decrement per step: the
     * interrupt flag is read only when a slice runs out.
     */
    public void interruptible() {
        interruptible = true;
        interruptRequested = false;
        reset(SLICE);
    }

    /** Any thread: asks an interruptible budget to stop the code running under it. */
    public void interrupt() {
        interruptRequested = true;
    }

    /** One step. Called from generated code: keep it tiny so it inlines. */
    public void tick() {
        if (--remaining < 0) {
            exhausted();
        }
    }

    private void exhausted() {
        if (interruptible) {
            if (interruptRequested) {
                remaining = 0;
                throw new Interrupted(location);
            }
            remaining = SLICE; // a new slice: interruptible budgets have no step limit
            return;
        }
        remaining = -1;
        throw new Exhausted(limit, location);
    }

    /** Steps used since the last reset. */
    public long used() {
        return remaining < 0 ? limit : limit - remaining;
    }

    /** The code was interrupted from another thread (a timeout). Not an Exception: pcall does not catch it. */
    public static final class Interrupted extends Error {
        private static final long serialVersionUID = 1L;

        Interrupted(final String location) {
            super("interrupted" + (location == null ? "" : " at " + location), null, false, false);
        }
    }

    /** The budget ran out. Not an {@link Exception}: Lua's pcall does not catch it. */
    public static final class Exhausted extends Error {
        private static final long serialVersionUID = 1L;
        private final transient String location;

        Exhausted(final long limit, final String location) {
            super("instruction budget of " + limit + " steps exhausted (runaway loop?)", null, false, true);
            this.location = location;
        }

        /** {@code file:line} where the interpreter stopped, or null (compiled code: see the stack trace). */
        public String location() {
            return location;
        }
    }
}
