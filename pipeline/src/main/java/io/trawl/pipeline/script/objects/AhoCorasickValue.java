package io.trawl.pipeline.script.objects;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code T.ac({patterns})}: Aho-Corasick multi-pattern search over bytes, one pass over the subject.
 *
 * <pre>
 * match_all(s)   a table of every pattern found in s (each once, in the order their first occurrence ends)
 * match_one(s)   the pattern whose first occurrence ends earliest in s (the longest of those ending
 *                there, i.e. the leftmost), or nil
 * </pre>
 */
public final class AhoCorasickValue extends ScriptObject {
    private static final LuaTable METHODS = new LuaTable();
    private static final LuaTable META = metatable("AhoCorasick", METHODS);

    private final LuaString[] patterns;
    /** goto[state * 256 + byte] = next state (complete automaton). */
    private final int[] transitions;
    /** pattern indexes ending at each state (own and through failure links). */
    private final int[][] outputs;

    private AhoCorasickValue(final LuaString[] patterns, final int[] transitions, final int[][] outputs) {
        super(METHODS, META);
        this.patterns = patterns;
        this.transitions = transitions;
        this.outputs = outputs;
    }

    @Override
    String typeName() {
        return "AhoCorasick";
    }

    /** Builds the automaton from a table (array) of strings. */
    public static AhoCorasickValue build(final LuaValue table) {
        if (!table.istable()) {
            throw new LuaError("T.ac: argument 1 must be a table of strings, got " + Method.describe(table));
        }
        final List<LuaString> list = new ArrayList<>();
        for (int i = 1; ; i++) {
            final LuaValue v = table.get(i);
            if (v.isnil()) {
                break;
            }
            if (!v.isstring() || v.strvalue().m_length == 0) {
                throw new LuaError("T.ac: pattern " + i + " must be a non-empty string, got " + Method.describe(v));
            }
            list.add(v.strvalue());
        }
        final List<int[]> trie = new ArrayList<>();
        final List<List<Integer>> own = new ArrayList<>();
        trie.add(newState());
        own.add(new ArrayList<>());
        for (int p = 0; p < list.size(); p++) {
            final LuaString pattern = list.get(p);
            int state = 0;
            for (int i = 0; i < pattern.m_length; i++) {
                final int b = pattern.luaByte(i);
                if (trie.get(state)[b] < 0) {
                    trie.get(state)[b] = trie.size();
                    trie.add(newState());
                    own.add(new ArrayList<>());
                }
                state = trie.get(state)[b];
            }
            own.get(state).add(p);
        }
        final int states = trie.size();
        final int[] transitions = new int[states * 256];
        final int[] failure = new int[states];
        final int[][] outputs = new int[states][];
        final ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int b = 0; b < 256; b++) {
            final int next = trie.get(0)[b];
            transitions[b] = next < 0 ? 0 : next;
            if (next > 0) {
                failure[next] = 0;
                queue.add(next);
            }
        }
        outputs[0] = own.get(0).stream().mapToInt(Integer::intValue).toArray();
        while (!queue.isEmpty()) {
            final int state = queue.poll();
            final List<Integer> out = new ArrayList<>(own.get(state));
            for (final int inherited : outputs[failure[state]]) {
                out.add(inherited);
            }
            outputs[state] = out.stream().mapToInt(Integer::intValue).toArray();
            for (int b = 0; b < 256; b++) {
                final int next = trie.get(state)[b];
                if (next < 0) {
                    transitions[state * 256 + b] = transitions[failure[state] * 256 + b];
                } else {
                    transitions[state * 256 + b] = next;
                    failure[next] = transitions[failure[state] * 256 + b];
                    queue.add(next);
                }
            }
        }
        return new AhoCorasickValue(list.toArray(new LuaString[0]), transitions, outputs);
    }

    private static int[] newState() {
        final int[] state = new int[256];
        Arrays.fill(state, -1);
        return state;
    }

    static {
        new Method.Unary<AhoCorasickValue>(AhoCorasickValue.class, "AhoCorasick", "match_all") {
            @Override
            LuaValue apply(final AhoCorasickValue ac, final LuaValue argument) {
                final LuaString s = subject(argument);
                final boolean[] seen = new boolean[ac.patterns.length];
                final LuaTable result = new LuaTable();
                int state = 0;
                int n = 0;
                for (int i = 0; i < s.m_length; i++) {
                    state = ac.transitions[state * 256 + s.luaByte(i)];
                    for (final int p : ac.outputs[state]) {
                        if (!seen[p]) {
                            seen[p] = true;
                            result.rawset(++n, ac.patterns[p]);
                        }
                    }
                }
                return result;
            }

            private LuaString subject(final LuaValue argument) {
                if (!argument.isstring()) {
                    throw argError(1, "subject", "a string", argument);
                }
                return argument.strvalue();
            }
        }.register(METHODS);
        new Method.Unary<AhoCorasickValue>(AhoCorasickValue.class, "AhoCorasick", "match_one") {
            @Override
            LuaValue apply(final AhoCorasickValue ac, final LuaValue argument) {
                if (!argument.isstring()) {
                    throw argError(1, "subject", "a string", argument);
                }
                final LuaString s = argument.strvalue();
                int state = 0;
                for (int i = 0; i < s.m_length; i++) {
                    state = ac.transitions[state * 256 + s.luaByte(i)];
                    if (ac.outputs[state].length > 0) {
                        int best = ac.outputs[state][0];
                        for (final int p : ac.outputs[state]) {
                            if (ac.patterns[p].m_length > ac.patterns[best].m_length) {
                                best = p;
                            }
                        }
                        return ac.patterns[best];
                    }
                }
                return LuaValue.NIL;
            }
        }.register(METHODS);
    }

}
