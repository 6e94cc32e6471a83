package io.trawl.pipeline.script.lua;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.DebugLib;

/**
 * Keeps the {@link InstructionBudget} for interpreted code. LuaJ's interpreter calls the state's debug
 * hook on every call, instruction and return; this hook charges one step per call and per backward jump
 * (a loop iteration), like the compiled code, and keeps a small stack of the running closures so a
 * runaway is reported with its file and line. It keeps nothing else (no debug call stack), so it costs
 * a virtual call per instruction; compiled code does not pay it.
 *
 * <p>Threading: the thread that runs the state.
 */
final class InterpreterBudgetHook extends DebugLib {
    private static final int MAX_DEPTH = 256;

    private final InstructionBudget budget;
    private final LuaClosure[] closures = new LuaClosure[MAX_DEPTH];
    private final int[] lastPc = new int[MAX_DEPTH];
    private int depth;

    InterpreterBudgetHook(final InstructionBudget budget) {
        this.budget = budget;
    }

    @Override
    public void onCall(final LuaFunction f) {
        // Java functions are not charged
    }

    @Override
    public void onCall(final LuaClosure c, final Varargs varargs, final LuaValue[] stack) {
        if (depth < MAX_DEPTH) {
            closures[depth] = c;
            lastPc[depth] = -1;
        }
        depth++;
        if (depth == MAX_DEPTH) {
            // deep recursion: remember where, in case the Java stack overflows (no Lua position otherwise)
            budget.deepCall(c.p.shortsource() + ":" + c.p.linedefined);
        }
        try {
            budget.tick();
        } catch (final InstructionBudget.Exhausted e) {
            throw new InstructionBudget.Exhausted(budget.used(), c.p.shortsource() + ":" + c.p.linedefined);
        }
    }

    @Override
    public void onInstruction(final int pc, final Varargs v, final int top) {
        final int frame = depth - 1;
        if (frame < 0 || frame >= MAX_DEPTH) {
            return;
        }
        if (pc <= lastPc[frame]) {
            final InstructionBudget b = budget;
            try {
                b.tick();
            } catch (final InstructionBudget.Exhausted e) {
                throw new InstructionBudget.Exhausted(b.used(), where(frame, pc));
            }
        }
        lastPc[frame] = pc;
    }

    @Override
    public void onReturn() {
        if (depth > 0) {
            depth--;
            if (depth < MAX_DEPTH) {
                closures[depth] = null;
            }
        }
    }

    @Override
    public String traceback(final int level) {
        return "";
    }

    private String where(final int frame, final int pc) {
        final LuaClosure closure = closures[frame];
        if (closure == null) {
            return null;
        }
        final int[] lines = closure.p.lineinfo;
        return closure.p.shortsource() + ":" + (lines != null && pc < lines.length ? lines[pc] : "?");
    }
}
