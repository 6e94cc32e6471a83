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
    private long remaining = Long.MAX_VALUE;
    private long limit = Long.MAX_VALUE;
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
        reset(Long.MAX_VALUE);
    }

    /** One step. Called from generated code: keep it tiny so it inlines. */
    public void tick() {
        if (--remaining < 0) {
            exhausted();
        }
    }

    private void exhausted() {
        remaining = -1;
        throw new Exhausted(limit, location);
    }

    /** Steps used since the last reset. */
    public long used() {
        return remaining < 0 ? limit : limit - remaining;
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
