package io.trawl.pipeline.script.objects;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.nio.charset.StandardCharsets;

/**
 * {@code T.re2(pattern[, opts])}: a compiled RE2 regular expression (RE2 syntax and linear-time
 * semantics, by {@code com.google.re2j}). Lua strings are bytes: pattern and subject are matched byte for
 * byte (each byte one character), so binary payloads work and captures come back byte-exact.
 *
 * <pre>
 * partial_match(s)         true when the pattern matches somewhere in s
 * full_match(s)            true when it matches all of s
 * partial_match_c1(s)      matched, capture 1 (nil when no match)
 * partial_match_c2(s)      matched, capture 1, capture 2
 * partial_match_n(s)       matched, {captures...}
 * full_match_n(s)          matched, {captures...}
 * </pre>
 * Options (a table, all optional): {@code case_sensitive} (default true), {@code dot_nl},
 * {@code longest_match}, {@code multi_line}.
 */
public final class Re2Value extends ScriptObject {
    private static final LuaTable METHODS = new LuaTable();
    private static final LuaTable META = metatable("RE2", METHODS);

    private final Pattern pattern;

    private Re2Value(final Pattern pattern) {
        super(METHODS, META);
        this.pattern = pattern;
    }

    @Override
    String typeName() {
        return "RE2";
    }

    /** Compiles a pattern; a bad pattern raises a Lua error naming it. */
    public static Re2Value compile(final LuaValue patternArgument, final LuaValue options) {
        if (!patternArgument.isstring()) {
            throw new LuaError("T.re2: argument 1 (pattern) must be a string, got " + Method.describe(patternArgument));
        }
        int flags = 0;
        if (options.istable()) {
            if (options.get("case_sensitive").isboolean() && !options.get("case_sensitive").toboolean()) {
                flags |= Pattern.CASE_INSENSITIVE;
            }
            if (options.get("dot_nl").toboolean()) {
                flags |= Pattern.DOTALL;
            }
            if (options.get("longest_match").toboolean()) {
                flags |= Pattern.LONGEST_MATCH;
            }
            if (options.get("multi_line").toboolean()) {
                flags |= Pattern.MULTILINE;
            }
        }
        final String text = latin1(patternArgument.strvalue());
        try {
            return new Re2Value(Pattern.compile(text, flags));
        } catch (final PatternSyntaxException e) {
            throw new LuaError("T.re2: invalid pattern '" + text + "': " + e.getDescription());
        }
    }

    /** The subject for the matcher: bytes as Latin-1 characters (lossless). */
    static String latin1(final LuaString s) {
        final byte[] bytes = new byte[s.m_length];
        s.copyInto(0, bytes, 0, bytes.length);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static LuaValue bytes(final String latin1) {
        return latin1 == null ? LuaValue.NIL : LuaString.valueUsing(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    private abstract static class Re2Method extends Method<Re2Value> {
        private final boolean full;

        Re2Method(final String name, final boolean full) {
            super(Re2Value.class, "RE2", name);
            this.full = full;
        }

        abstract Varargs result(Matcher matcher, boolean matched);

        @Override
        final Varargs invoke(final Re2Value re, final Varargs args) {
            final Matcher matcher = re.pattern.matcher(latin1(string(args, 2, "subject")));
            return result(matcher, full ? matcher.matches() : matcher.find());
        }
    }

    static {
        new Re2Method("partial_match", false) {
            @Override
            Varargs result(final Matcher m, final boolean matched) {
                return LuaValue.valueOf(matched);
            }
        }.register(METHODS);
        new Re2Method("full_match", true) {
            @Override
            Varargs result(final Matcher m, final boolean matched) {
                return LuaValue.valueOf(matched);
            }
        }.register(METHODS);
        new Re2Method("partial_match_c1", false) {
            @Override
            Varargs result(final Matcher m, final boolean matched) {
                return LuaValue.varargsOf(LuaValue.valueOf(matched),
                    matched && m.groupCount() >= 1 ? bytes(m.group(1)) : LuaValue.NIL);
            }
        }.register(METHODS);
        new Re2Method("partial_match_c2", false) {
            @Override
            Varargs result(final Matcher m, final boolean matched) {
                return LuaValue.varargsOf(LuaValue.valueOf(matched),
                    matched && m.groupCount() >= 1 ? bytes(m.group(1)) : LuaValue.NIL,
                    matched && m.groupCount() >= 2 ? bytes(m.group(2)) : LuaValue.NIL);
            }
        }.register(METHODS);
        for (final boolean full : new boolean[] {false, true}) {
            new Re2Method(full ? "full_match_n" : "partial_match_n", full) {
                @Override
                Varargs result(final Matcher m, final boolean matched) {
                    final LuaTable captures = new LuaTable();
                    if (matched) {
                        for (int i = 1; i <= m.groupCount(); i++) {
                            captures.rawset(i, bytes(m.group(i)));
                        }
                    }
                    return LuaValue.varargsOf(LuaValue.valueOf(matched), captures);
                }
            }.register(METHODS);
        }
    }
}
