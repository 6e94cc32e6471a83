package io.trawl.pipeline.script.objects;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@code T} table of a Lua state: {@code T.util}, {@code T.re2}, {@code T.ac}, {@code T.log*},
 * {@code T.host}, {@code T.env}, {@code T.K}, {@code T.contextid}, {@code T.probeid},
 * {@code T.enginetype}. {@code T.async} is added by the async module through the host's extension hook.
 * Functions of the sub-tables accept both call styles ({@code T.util.ntop(x)} and {@code T.util:ntop(x)}).
 * Scripts may write anything into {@code T} (per-instance state).
 */
public final class TLibrary {
    /** {@code T.K.loglevel} names, by level number. */
    public static final String[] LOG_LEVELS = {"EMERG", "FATAL", "ALERT", "CRIT", "ERROR", "WARN", "NOTICE", "INFO", "DEBUG"};
    /** {@code T.K.loglevel.INFO}. */
    public static final int INFO = 7;
    static final String[] VARTYPES = {"COUNTER", "RATE_COUNTER", "GAUGE", "RUNNING_COUNTER", "AVERAGE",
        "DELTA_RATE_COUNTER", "MAXIMUM", "MINIMUM"};

    private TLibrary() {
    }

    /** A new {@code T} table for a state with these services. */
    public static LuaTable create(final ScriptEnvironment environment) {
        final LuaTable t = new LuaTable();
        t.rawset("util", util());
        t.rawset("re2", new VarArgFunction() {
            @Override
            public Varargs invoke(final Varargs args) {
                final Varargs a = args.arg1() == t ? args.subargs(2) : args;
                return Re2Value.compile(a.arg1(), a.arg(2));
            }
        });
        t.rawset("ac", new VarArgFunction() {
            @Override
            public Varargs invoke(final Varargs args) {
                final Varargs a = args.arg1() == t ? args.subargs(2) : args;
                return AhoCorasickValue.build(a.arg1());
            }
        });
        t.rawset("log", new VarArgFunction() {
            @Override
            public Varargs invoke(final Varargs args) {
                final Varargs a = args.arg1() == t ? args.subargs(2) : args;
                if (a.narg() >= 2 && a.arg1().isnumber()) {
                    environment.log(level(a.arg1()), text(a.arg(2)));
                } else {
                    environment.log(INFO, text(a.arg1()));
                }
                return NONE;
            }
        });
        logAt(t, "logerror", 4, environment);
        logAt(t, "logwarning", 5, environment);
        logAt(t, "loginfo", INFO, environment);
        logAt(t, "logdebug", 8, environment);
        t.rawset("host", host(environment));
        t.rawset("env", env(environment));
        t.rawset("K", constants());
        t.rawset("contextid", LuaValue.valueOf(environment.contextId()));
        t.rawset("probeid", LuaValue.valueOf(environment.probeId()));
        t.rawset("enginetype", LuaValue.valueOf("frontend"));
        return t;
    }

    private static int level(final LuaValue value) {
        final int level = value.toint();
        return Math.max(0, Math.min(LOG_LEVELS.length - 1, level));
    }

    private static String text(final LuaValue value) {
        return value.isnil() ? "nil" : value.tojstring();
    }

    private static void logAt(final LuaTable t, final String name, final int level, final ScriptEnvironment environment) {
        t.rawset(name, new VarArgFunction() {
            @Override
            public Varargs invoke(final Varargs args) {
                final Varargs a = args.arg1() == t ? args.subargs(2) : args;
                environment.log(level, text(a.arg1()));
                return NONE;
            }
        });
    }

    /** A function of a sub-table that drops a leading self argument ({@code T.x:f()} style). */
    private abstract static class Member extends VarArgFunction {
        private final LuaTable owner;
        private final String qualified;

        Member(final LuaTable owner, final String qualified) {
            this.owner = owner;
            this.qualified = qualified;
            owner.rawset(qualified.substring(qualified.lastIndexOf('.') + 1), this);
        }

        abstract Varargs apply(Varargs args);

        @Override
        public final Varargs invoke(final Varargs args) {
            return apply(args.arg1() == owner ? args.subargs(2) : args);
        }

        final LuaString string(final Varargs args, final int index, final String what) {
            final LuaValue v = args.arg(index);
            if (!v.isstring()) {
                throw error(index, what, "a string", v);
            }
            return v.strvalue();
        }

        final long number(final Varargs args, final int index, final String what) {
            final LuaValue v = args.arg(index);
            if (!v.isnumber()) {
                throw error(index, what, "a number", v);
            }
            return (long) v.todouble();
        }

        final LuaError error(final int index, final String what, final String expected, final LuaValue got) {
            return new LuaError(qualified + ": argument " + index + " (" + what + ") must be " + expected + ", got "
                + Method.describe(got));
        }
    }

    private static LuaTable util() {
        final LuaTable util = new LuaTable();
        new Member(util, "T.util.ntop") {
            @Override
            Varargs apply(final Varargs args) {
                final long n = number(args, 1, "address") & 0xFFFF_FFFFL;
                return LuaValue.valueOf(((n >>> 24) & 0xFF) + "." + ((n >>> 16) & 0xFF) + "." + ((n >>> 8) & 0xFF) + "."
                    + (n & 0xFF));
            }
        };
        new Member(util, "T.util.pton") {
            @Override
            Varargs apply(final Varargs args) {
                final long value = Addresses.parseIpv4(string(args, 1, "address").tojstring());
                return value < 0 ? NIL : LuaValue.valueOf((double) value);
            }
        };
        new Member(util, "T.util.bor") {
            @Override
            Varargs apply(final Varargs args) {
                return LuaValue.valueOf((double) ((number(args, 1, "a") | number(args, 2, "b")) & 0xFFFF_FFFFL));
            }
        };
        new Member(util, "T.util.band") {
            @Override
            Varargs apply(final Varargs args) {
                return LuaValue.valueOf((double) ((number(args, 1, "a") & number(args, 2, "b")) & 0xFFFF_FFFFL));
            }
        };
        new Member(util, "T.util.testbit32") {
            @Override
            Varargs apply(final Varargs args) {
                final long n = number(args, 1, "number");
                final long bit = number(args, 2, "bit");
                if (bit < 0 || bit > 31) {
                    throw error(2, "bit", "0..31 (0 is the least significant bit)", args.arg(2));
                }
                return LuaValue.valueOf(((n >>> bit) & 1) != 0);
            }
        };
        new Member(util, "T.util.bitval32") {
            @Override
            Varargs apply(final Varargs args) {
                final long n = number(args, 1, "number") & 0xFFFF_FFFFL;
                final long start = number(args, 2, "startbit");
                final long width = number(args, 3, "width");
                if (start < 0 || start > 31 || width < 1 || start + width > 32) {
                    throw new LuaError("T.util.bitval32: startbit " + start + " and width " + width
                        + " must lie within bits 0..31 (0 is the least significant bit)");
                }
                return LuaValue.valueOf((double) ((n >>> start) & ((1L << width) - 1)));
            }
        };
        new Member(util, "T.util.split") {
            @Override
            Varargs apply(final Varargs args) {
                final List<LuaString> parts = split(string(args, 1, "string"), string(args, 2, "delimiter"));
                final LuaTable table = new LuaTable(parts.size(), 0);
                for (int i = 0; i < parts.size(); i++) {
                    table.rawset(i + 1, parts.get(i));
                }
                return table;
            }
        };
        new Member(util, "T.util.splitm") {
            @Override
            Varargs apply(final Varargs args) {
                return LuaValue.varargsOf(split(string(args, 1, "string"), string(args, 2, "delimiter"))
                    .toArray(new LuaValue[0]));
            }
        };
        new Member(util, "T.util.hash") {
            @Override
            Varargs apply(final Varargs args) {
                final LuaString s = string(args, 1, "string");
                final long bits = args.arg(2).isnil() ? 32 : number(args, 2, "bits");
                if (bits < 1 || bits > 32) {
                    throw error(2, "bits", "1..32", args.arg(2));
                }
                final long hash = Murmur2.hash(s) & 0xFFFF_FFFFL;
                return LuaValue.valueOf((double) (bits == 32 ? hash : hash & ((1L << bits) - 1)));
            }
        };
        new Member(util, "T.util.bin2hex") {
            @Override
            Varargs apply(final Varargs args) {
                final LuaString s = string(args, 1, "string");
                final StringBuilder out = new StringBuilder(s.m_length * 2);
                for (int i = 0; i < s.m_length; i++) {
                    out.append(Character.forDigit(s.luaByte(i) >>> 4, 16)).append(Character.forDigit(s.luaByte(i) & 0xF, 16));
                }
                return LuaValue.valueOf(out.toString());
            }
        };
        new Member(util, "T.util.hex2bin") {
            @Override
            Varargs apply(final Varargs args) {
                final LuaString s = string(args, 1, "string");
                if (s.m_length % 2 != 0) {
                    throw error(1, "string", "an even number of hex digits", args.arg1());
                }
                final byte[] out = new byte[s.m_length / 2];
                for (int i = 0; i < out.length; i++) {
                    final int hi = Character.digit(s.luaByte(2 * i), 16);
                    final int lo = Character.digit(s.luaByte(2 * i + 1), 16);
                    if (hi < 0 || lo < 0) {
                        throw error(1, "string", "hex digits only", args.arg1());
                    }
                    out[i] = (byte) (hi << 4 | lo);
                }
                return LuaString.valueUsing(out);
            }
        };
        return util;
    }

    /** Splits on a plain (not pattern) delimiter; empty fields are kept. */
    static List<LuaString> split(final LuaString s, final LuaString delimiter) {
        final List<LuaString> parts = new ArrayList<>();
        if (delimiter.m_length == 0) {
            parts.add(s);
            return parts;
        }
        int from = 0;
        for (int i = 0; i + delimiter.m_length <= s.m_length; ) {
            boolean match = true;
            for (int j = 0; j < delimiter.m_length && match; j++) {
                match = s.luaByte(i + j) == delimiter.luaByte(j);
            }
            if (match) {
                parts.add(s.substring(from, i));
                i += delimiter.m_length;
                from = i;
            } else {
                i++;
            }
        }
        parts.add(s.substring(from, s.m_length));
        return parts;
    }

    private static LuaTable host(final ScriptEnvironment environment) {
        final LuaTable host = new LuaTable();
        new Member(host, "T.host.log") {
            @Override
            Varargs apply(final Varargs args) {
                if (args.narg() >= 2) {
                    environment.log(args.arg1().isnumber() ? level(args.arg1()) : INFO, text(args.arg(2)));
                } else {
                    environment.log(INFO, text(args.arg1()));
                }
                return NONE;
            }
        };
        new Member(host, "T.host.is_homenet") {
            @Override
            Varargs apply(final Varargs args) {
                return LuaValue.valueOf(environment.isHomenet(string(args, 1, "address").tojstring()));
            }
        };
        new Member(host, "T.host.get_homenets") {
            @Override
            Varargs apply(final Varargs args) {
                final LuaTable table = new LuaTable();
                int i = 0;
                for (final String net : environment.homenets()) {
                    table.rawset(++i, LuaValue.valueOf(net));
                }
                return table;
            }
        };
        return host;
    }

    private static LuaTable env(final ScriptEnvironment environment) {
        final LuaTable env = new LuaTable();
        new Member(env, "T.env.get_config") {
            @Override
            Varargs apply(final Varargs args) {
                final String value = environment.config(normalizeConfigPath(string(args, 1, "path").tojstring()));
                return value == null ? NIL : LuaValue.valueOf(value);
            }
        };
        return env;
    }

    /** {@code //App/DBRoot} and {@code App>DBRoot} both become {@code App>DBRoot}. */
    public static String normalizeConfigPath(final String path) {
        String p = path.trim();
        if (p.startsWith("//")) {
            p = p.substring(2).replace('/', '>');
        }
        return p;
    }

    private static LuaTable constants() {
        final LuaTable k = new LuaTable();
        final LuaTable loglevel = new LuaTable();
        for (int i = 0; i < LOG_LEVELS.length; i++) {
            loglevel.rawset(LOG_LEVELS[i], LuaValue.valueOf(i));
        }
        final LuaTable vartype = new LuaTable();
        for (int i = 0; i < VARTYPES.length; i++) {
            vartype.rawset(VARTYPES[i], LuaValue.valueOf(i));
        }
        k.rawset("loglevel", loglevel);
        k.rawset("vartype", vartype);
        return k;
    }
}
