package io.trawl.pipeline.script.lua;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

import java.util.Locale;

/**
 * LuaJIT's {@code bit} library (BitOp semantics): operands are reduced modulo 2^32 and results are signed
 * 32-bit numbers, so {@code bit.band(0xFFFFFFFF, 1) == 1} and {@code bit.bnot(0) == -1}, as on Trisul.
 * {@code tobit, tohex, bnot, band, bor, bxor, lshift, rshift, arshift, rol, ror, bswap}.
 */
public final class BitLib {
    private BitLib() {
    }

    /** The {@code bit} table. */
    public static LuaTable create() {
        final LuaTable bit = new LuaTable();
        bit.rawset("tobit", new Op("tobit", 1) {
            @Override
            int apply(final int[] a, final int n) {
                return a[0];
            }
        });
        bit.rawset("bnot", new Op("bnot", 1) {
            @Override
            int apply(final int[] a, final int n) {
                return ~a[0];
            }
        });
        bit.rawset("band", new Op("band", -1) {
            @Override
            int apply(final int[] a, final int n) {
                int r = a[0];
                for (int i = 1; i < n; i++) {
                    r &= a[i];
                }
                return r;
            }
        });
        bit.rawset("bor", new Op("bor", -1) {
            @Override
            int apply(final int[] a, final int n) {
                int r = a[0];
                for (int i = 1; i < n; i++) {
                    r |= a[i];
                }
                return r;
            }
        });
        bit.rawset("bxor", new Op("bxor", -1) {
            @Override
            int apply(final int[] a, final int n) {
                int r = a[0];
                for (int i = 1; i < n; i++) {
                    r ^= a[i];
                }
                return r;
            }
        });
        bit.rawset("lshift", new Op("lshift", 2) {
            @Override
            int apply(final int[] a, final int n) {
                return a[0] << (a[1] & 31);
            }
        });
        bit.rawset("rshift", new Op("rshift", 2) {
            @Override
            int apply(final int[] a, final int n) {
                return a[0] >>> (a[1] & 31);
            }
        });
        bit.rawset("arshift", new Op("arshift", 2) {
            @Override
            int apply(final int[] a, final int n) {
                return a[0] >> (a[1] & 31);
            }
        });
        bit.rawset("rol", new Op("rol", 2) {
            @Override
            int apply(final int[] a, final int n) {
                return Integer.rotateLeft(a[0], a[1] & 31);
            }
        });
        bit.rawset("ror", new Op("ror", 2) {
            @Override
            int apply(final int[] a, final int n) {
                return Integer.rotateRight(a[0], a[1] & 31);
            }
        });
        bit.rawset("bswap", new Op("bswap", 1) {
            @Override
            int apply(final int[] a, final int n) {
                return Integer.reverseBytes(a[0]);
            }
        });
        bit.rawset("tohex", new VarArgFunction() {
            @Override
            public Varargs invoke(final Varargs args) {
                final int x = toBit(args.arg1(), "tohex", 1);
                int digits = args.arg(2).isnil() ? 8 : args.arg(2).toint();
                final boolean upper = digits < 0;
                digits = Math.min(8, Math.abs(digits));
                String hex = String.format("%08x", x);
                hex = hex.substring(8 - digits);
                return LuaValue.valueOf(upper ? hex.toUpperCase(Locale.ROOT) : hex);
            }
        });
        return bit;
    }

    /** LuaJIT's normalisation: the number modulo 2^32, as a signed 32-bit value. */
    static int toBit(final LuaValue value, final String name, final int position) {
        if (!value.isnumber()) {
            throw new LuaError("bad argument #" + position + " to 'bit." + name + "' (number expected, got "
                + value.typename() + ")");
        }
        final double d = value.todouble();
        if (Math.abs(d) < 9.2e18) {
            return (int) (long) d;
        }
        return (int) (long) Math.IEEEremainder(d, 4294967296.0);
    }

    private abstract static class Op extends VarArgFunction {
        private final String opName;
        private final int arity;

        Op(final String name, final int arity) {
            this.opName = name;
            this.arity = arity;
        }

        abstract int apply(int[] arguments, int count);

        @Override
        public LuaValue call(final LuaValue a) {
            return LuaValue.valueOf(apply(new int[] {toBit(a, opName, 1), 0}, 1));
        }

        @Override
        public LuaValue call(final LuaValue a, final LuaValue b) {
            return LuaValue.valueOf(apply(new int[] {toBit(a, opName, 1), toBit(b, opName, 2)}, 2));
        }

        @Override
        public Varargs invoke(final Varargs args) {
            final int n = arity < 0 ? Math.max(1, args.narg()) : arity;
            final int[] values = new int[Math.max(2, n)];
            for (int i = 0; i < n; i++) {
                values[i] = toBit(args.arg(i + 1), opName, i + 1);
            }
            return LuaValue.valueOf(apply(values, n));
        }
    }
}
