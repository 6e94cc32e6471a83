package io.trawl.pipeline.script.objects;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Trisul's Buffer: a read-only view of bytes the pipeline owns (packet memory, off-heap, or a reassembled
 * chunk), with 0-based offsets and big-endian reads. Valid only during the callback that received it
 * ({@link ViewScope}); any method called later raises a Lua error.
 *
 * <pre>
 * size() / length()          number of bytes
 * hval_8/16/24/32(off)       unsigned big-endian value at off
 * tostring([off[, len]])     the bytes as a Lua string
 * hexdump([off[, len]])      16 bytes a line: offset, hex, printable ASCII
 * appendtofile(fname)        append the bytes to a file (synchronous)
 * writetofile(fname, off)    write the bytes into a file at byte position off (synchronous)
 * </pre>
 */
public final class BufferValue extends ScriptObject {
    private static final LuaTable METHODS = new LuaTable();
    private static final LuaTable META = metatable("Buffer", METHODS);

    private final MemorySegment memory;
    private final long offset;
    private final int length;
    private final ViewScope scope;
    private final long epoch;

    /** A view of {@code length} bytes of {@code memory} from {@code offset}, valid in the current callback. */
    public BufferValue(final MemorySegment memory, final long offset, final int length, final ViewScope scope) {
        super(METHODS, META);
        this.memory = memory;
        this.offset = offset;
        this.length = length;
        this.scope = scope;
        this.epoch = scope.epoch();
    }

    @Override
    String typeName() {
        return "Buffer";
    }

    /** Number of bytes (no validity check: the length is not packet memory). */
    public int length() {
        return length;
    }

    /**
     * A copy of the bytes, taken now (T.async's copybuffer captures at call time).
     *
     * @throws LuaError when the buffer's callback has returned
     */
    public byte[] copyBytes(final String caller) {
        check(caller);
        return memory.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Reads the bytes in place while the buffer is valid (T.async captures them off-heap this way). */
    @FunctionalInterface
    public interface BytesAccess<R> {
        R access(MemorySegment memory, long offset, int length);
    }

    /**
     * Gives {@code access} the buffer's memory, offset and length, without copying.
     *
     * @throws LuaError naming {@code caller} when the buffer's callback has returned
     */
    public <R> R withBytes(final String caller, final BytesAccess<R> access) {
        check(caller);
        return access.access(memory, offset, length);
    }

    private void check(final String method) {
        if (!scope.isValid(epoch)) {
            throw new LuaError(method + ": the Buffer is no longer valid (it is valid only during the callback that "
                + "received it; copy what you need with tostring())");
        }
    }

    private int u8(final int index) {
        return memory.get(ValueLayout.JAVA_BYTE, offset + index) & 0xFF;
    }

    private abstract static class BufferMethod extends Method<BufferValue> {
        BufferMethod(final String name) {
            super(BufferValue.class, "Buffer", name);
        }

        final int offsetArg(final BufferValue b, final LuaValue v, final int width) {
            final int off = integer(v, 1, "offset");
            if (off < 0 || off + width > b.length) {
                throw new LuaError(qualified() + ": offset " + off + " is outside the buffer (" + b.length + " bytes)");
            }
            return off;
        }

        /** {off, len} from optional arguments 2 and 3, clipped to the buffer. */
        final int[] range(final BufferValue b, final Varargs args) {
            final int off = optInteger(args.arg(2), 1, "offset", 0);
            if (off < 0 || off > b.length) {
                throw new LuaError(qualified() + ": offset " + off + " is outside the buffer (" + b.length + " bytes)");
            }
            final int len = optInteger(args.arg(3), 2, "length", b.length - off);
            if (len < 0) {
                throw argError(2, "length", "0 or more", args.arg(3));
            }
            return new int[] {off, Math.min(len, b.length - off)};
        }
    }

    private static final class Size extends BufferMethod {
        Size(final String name) {
            super(name);
        }

        @Override
        Varargs invoke(final BufferValue b, final Varargs args) {
            b.check(qualified());
            return LuaValue.valueOf(b.length);
        }

        @Override
        public LuaValue call(final LuaValue a) {
            final BufferValue b = self(a);
            b.check(qualified());
            return LuaValue.valueOf(b.length);
        }
    }

    private static final class Hval extends BufferMethod {
        private final int width;

        Hval(final int width) {
            super("hval_" + width * 8);
            this.width = width;
        }

        @Override
        Varargs invoke(final BufferValue b, final Varargs args) {
            return call(b, args.arg(2));
        }

        @Override
        public LuaValue call(final LuaValue a, final LuaValue off) {
            final BufferValue b = self(a);
            b.check(qualified());
            final int at = offsetArg(b, off, width);
            long value = 0;
            for (int i = 0; i < width; i++) {
                value = (value << 8) | b.u8(at + i);
            }
            return LuaValue.valueOf((double) value);
        }
    }

    static {
        new Size("size").register(METHODS);
        new Size("length").register(METHODS);
        for (int width = 1; width <= 4; width++) {
            new Hval(width).register(METHODS);
        }
        new BufferMethod("tostring") {
            @Override
            Varargs invoke(final BufferValue b, final Varargs args) {
                b.check(qualified());
                final int[] r = range(b, args);
                return LuaString.valueUsing(b.memory.asSlice(b.offset + r[0], r[1]).toArray(ValueLayout.JAVA_BYTE));
            }
        }.register(METHODS);
        new BufferMethod("hexdump") {
            @Override
            Varargs invoke(final BufferValue b, final Varargs args) {
                b.check(qualified());
                final int[] r = range(b, args);
                final byte[] bytes = b.memory.asSlice(b.offset + r[0], r[1]).toArray(ValueLayout.JAVA_BYTE);
                return LuaValue.valueOf(HexDump.format(bytes, r[0]));
            }
        }.register(METHODS);
        new BufferMethod("appendtofile") {
            @Override
            Varargs invoke(final BufferValue b, final Varargs args) {
                b.check(qualified());
                final Path file = Path.of(string(args, 2, "fname").tojstring());
                write(file, b, -1);
                return LuaValue.NONE;
            }
        }.register(METHODS);
        new BufferMethod("writetofile") {
            @Override
            Varargs invoke(final BufferValue b, final Varargs args) {
                b.check(qualified());
                final Path file = Path.of(string(args, 2, "fname").tojstring());
                final int position = optInteger(args.arg(3), 2, "offset", 0);
                if (position < 0) {
                    throw argError(2, "offset", "0 or more", args.arg(3));
                }
                write(file, b, position);
                return LuaValue.NONE;
            }

        }.register(METHODS);
    }

    private static void write(final Path file, final BufferValue b, final long position) {
        final ByteBuffer bytes = b.memory.asSlice(b.offset, b.length).asByteBuffer();
        try (FileChannel channel = position < 0
            ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
            : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long at = position;
            while (bytes.hasRemaining()) {
                final int written = at < 0 ? channel.write(bytes) : channel.write(bytes, at);
                if (at >= 0) {
                    at += written;
                }
            }
        } catch (final IOException | RuntimeException e) {
            throw new LuaError("Buffer: cannot write " + file + ": " + e.getMessage());
        }
    }
}
