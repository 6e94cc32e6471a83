package io.trawl.pipeline.script.lua;

import org.apache.bcel.Const;
import org.apache.bcel.classfile.ClassParser;
import org.apache.bcel.classfile.JavaClass;
import org.apache.bcel.classfile.Method;
import org.apache.bcel.generic.BranchInstruction;
import org.apache.bcel.generic.ClassGen;
import org.apache.bcel.generic.ConstantPoolGen;
import org.apache.bcel.generic.FieldGen;
import org.apache.bcel.generic.GETSTATIC;
import org.apache.bcel.generic.INVOKEVIRTUAL;
import org.apache.bcel.generic.InstructionHandle;
import org.apache.bcel.generic.InstructionList;
import org.apache.bcel.generic.InstructionTargeter;
import org.apache.bcel.generic.LineNumberGen;
import org.apache.bcel.generic.MethodGen;
import org.apache.bcel.generic.ObjectType;
import org.apache.bcel.generic.Select;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.luajc.JavaGen;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Compiles Lua prototypes to JVM classes with LuaJC (BCEL), then instruments them so the instruction
 * budget holds in compiled code too: every loop head (target of a backward branch) and every entry of a
 * Lua function body gets {@code $budget.tick()}, where {@code $budget} is a static field each Lua state's
 * own copy of the class has set to that state's {@link InstructionBudget}.
 *
 * <p>Stateless and thread-safe.
 */
public final class LuaCompiler {
    static final String BUDGET_FIELD = "$budget";
    private static final String BUDGET_CLASS = InstructionBudget.class.getName();
    private static final String BUDGET_SIGNATURE = "L" + BUDGET_CLASS.replace('.', '/') + ";";
    private static final Set<String> LUA_BODIES = Set.of("call", "invoke", "onInvoke");
    private static final AtomicLong CHUNKS = new AtomicLong();

    private LuaCompiler() {
    }

    /**
     * Compiles {@code prototype} and its children. Never throws for code LuaJC cannot handle: the result
     * then carries the reason and only the prototype (the interpreter runs it).
     *
     * @param fileName the script's file name, which stack traces of compiled code show with line numbers
     */
    public static CompiledChunk compile(final Prototype prototype, final String fileName) {
        final String className = "lua" + CHUNKS.incrementAndGet() + "_" + javaName(fileName);
        try {
            final JavaGen gen = new JavaGen(prototype, className, fileName, false);
            final Map<String, byte[]> classes = new HashMap<>();
            final Map<String, Prototype> prototypes = new HashMap<>();
            collect(gen, prototype, classes, prototypes);
            return new CompiledChunk(prototype, className, Map.copyOf(classes), Map.copyOf(prototypes), null);
        } catch (final RuntimeException | LinkageError | IOException e) {
            return new CompiledChunk(prototype, null, Map.of(), Map.of(), e.toString());
        }
    }

    /** A chunk for the interpreter only. */
    public static CompiledChunk interpreted(final Prototype prototype) {
        return new CompiledChunk(prototype, null, Map.of(), Map.of(), null);
    }

    private static void collect(final JavaGen gen, final Prototype prototype, final Map<String, byte[]> classes,
                                final Map<String, Prototype> prototypes) throws IOException {
        classes.put(gen.classname, instrument(gen.bytecode, gen.classname));
        prototypes.put(gen.classname, prototype);
        final int inners = gen.inners == null ? 0 : gen.inners.length;
        if (inners != prototype.p.length) {
            throw new IllegalStateException("LuaJC produced " + inners + " inner classes for " + prototype.p.length
                + " inner functions");
        }
        for (int i = 0; i < inners; i++) {
            collect(gen.inners[i], prototype.p[i], classes, prototypes);
        }
    }

    static byte[] instrument(final byte[] bytes, final String className) throws IOException {
        final JavaClass parsed = new ClassParser(new ByteArrayInputStream(bytes), className + ".class").parse();
        final ClassGen cg = new ClassGen(parsed);
        final ConstantPoolGen cp = cg.getConstantPool();
        cg.addField(new FieldGen(Const.ACC_PUBLIC | Const.ACC_STATIC, new ObjectType(BUDGET_CLASS), BUDGET_FIELD, cp)
            .getField());
        final int fieldRef = cp.addFieldref(className, BUDGET_FIELD, BUDGET_SIGNATURE);
        final int tickRef = cp.addMethodref(BUDGET_CLASS, "tick", "()V");
        for (final Method method : cg.getMethods()) {
            if (method.isAbstract() || method.isNative() || method.getName().startsWith("<")) {
                continue;
            }
            final MethodGen mg = new MethodGen(method, className, cp);
            final InstructionList il = mg.getInstructionList();
            if (il == null) {
                continue;
            }
            il.setPositions();
            final Set<InstructionHandle> loopHeads = new LinkedHashSet<>();
            for (final InstructionHandle ih : il.getInstructionHandles()) {
                if (ih.getInstruction() instanceof BranchInstruction branch) {
                    addIfBackward(loopHeads, ih, branch.getTarget());
                    if (branch instanceof Select select) {
                        for (final InstructionHandle target : select.getTargets()) {
                            addIfBackward(loopHeads, ih, target);
                        }
                    }
                }
            }
            boolean changed = false;
            for (final InstructionHandle head : loopHeads) {
                final InstructionHandle tick = il.insert(head, tickInstructions(fieldRef, tickRef));
                // every jump to the loop head now runs the tick first (not only the backward one)
                // (and the tick belongs to the loop head's line, for messages)
                retarget(head, tick);
                changed = true;
            }
            if (LUA_BODIES.contains(method.getName())) {
                final InstructionHandle first = il.getStart();
                final InstructionHandle tick = il.insert(tickInstructions(fieldRef, tickRef));
                for (final InstructionTargeter targeter : first.getTargeters() == null ? new InstructionTargeter[0]
                    : first.getTargeters().clone()) {
                    if (targeter instanceof LineNumberGen line) {
                        line.updateTarget(first, tick);
                    }
                }
                changed = true;
            }
            if (changed) {
                il.setPositions();
                mg.setMaxStack();
                mg.setMaxLocals();
                cg.replaceMethod(method, mg.getMethod());
            }
            il.dispose();
        }
        return cg.getJavaClass().getBytes();
    }

    private static void retarget(final InstructionHandle head, final InstructionHandle tick) {
        final InstructionTargeter[] targeters = head.getTargeters();
        if (targeters == null) {
            return;
        }
        for (final InstructionTargeter targeter : targeters.clone()) {
            if (targeter instanceof BranchInstruction || targeter instanceof LineNumberGen) {
                targeter.updateTarget(head, tick);
            }
        }
    }

    private static void addIfBackward(final Set<InstructionHandle> heads, final InstructionHandle branch,
                                      final InstructionHandle target) {
        if (target != null && target.getPosition() <= branch.getPosition()) {
            heads.add(target);
        }
    }

    private static InstructionList tickInstructions(final int fieldRef, final int tickRef) {
        final InstructionList list = new InstructionList();
        list.append(new GETSTATIC(fieldRef));
        list.append(new INVOKEVIRTUAL(tickRef));
        return list;
    }

    private static String javaName(final String fileName) {
        final String stem = fileName.endsWith(".lua") ? fileName.substring(0, fileName.length() - 4) : fileName;
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < stem.length() && out.length() < 40; i++) {
            final char c = stem.charAt(i);
            out.append(Character.isJavaIdentifierPart(c) ? c : '_');
        }
        return out.toString();
    }
}
