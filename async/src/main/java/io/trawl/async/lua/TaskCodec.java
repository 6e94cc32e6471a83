package io.trawl.async.lua;

import org.luaj.vm2.LoadState;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.compiler.DumpState;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A schedule as the journal keeps it, to run it again after a crash: the script, {@code onexecute},
 * {@code onresult} and {@code onerror} as Lua bytecode (LuaJ's dump of their prototypes, debug info kept
 * for script:line messages) with their upvalues captured by value, and the data string.
 *
 * <pre>
 * u8 version | utf script | bytes data | function onexecute | function onresult | function onerror
 * function: u8 present, then bytes bytecode, u16 n, n x value
 * value:    u8 tag (0 nil, 1 string, 2 int, 3 double, 4 boolean, 5 table: u32 n, n x (key value))
 * </pre>
 *
 * <p>Encoding caches each prototype's bytecode (prototypes are shared by every call of a script).
 * Threading: an instance per pipeline (encode); decoding is static and thread-safe.
 */
final class TaskCodec {
    private static final int VERSION = 1;

    /** A decoded schedule. */
    record Decoded(String script, Prototype onexecute, Object[] onexecuteUpvalues, byte[] data, Prototype onresult,
                   Object[] onresultUpvalues, Prototype onerror, Object[] onerrorUpvalues) {
    }

    private final Map<Prototype, byte[]> bytecode = new IdentityHashMap<>();

    byte[] encode(final ScheduledTask task, final Prototype onresult, final Object[] onresultUpvalues, final Prototype onerror,
                  final Object[] onerrorUpvalues) {
        try {
            final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
            final DataOutputStream out = new DataOutputStream(buffer);
            out.writeByte(VERSION);
            out.writeUTF(task.script());
            writeBytes(out, task.data());
            function(out, task.prototype(), task.upvalues());
            function(out, onresult, onresultUpvalues);
            function(out, onerror, onerrorUpvalues);
            out.flush();
            return buffer.toByteArray();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Decoded decode(final byte[] payload) throws IOException {
        final DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        final int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("schedule payload version " + version + " (this trawl reads " + VERSION + ")");
        }
        final String script = in.readUTF();
        final byte[] data = readBytes(in);
        final Object[][] ups = new Object[3][];
        final Prototype[] functions = new Prototype[3];
        for (int i = 0; i < 3; i++) {
            if (in.readUnsignedByte() == 1) {
                functions[i] = LoadState.undump(new ByteArrayInputStream(readBytes(in)), "=" + script);
                final int n = in.readUnsignedShort();
                ups[i] = new Object[n];
                for (int u = 0; u < n; u++) {
                    ups[i][u] = readValue(in);
                }
            }
        }
        return new Decoded(script, functions[0], ups[0], data, functions[1], ups[1], functions[2], ups[2]);
    }

    private void function(final DataOutputStream out, final Prototype prototype, final Object[] upvalues) throws IOException {
        if (prototype == null) {
            out.writeByte(0);
            return;
        }
        out.writeByte(1);
        byte[] code = bytecode.get(prototype);
        if (code == null) {
            final ByteArrayOutputStream dump = new ByteArrayOutputStream();
            DumpState.dump(prototype, dump, false);
            code = dump.toByteArray();
            bytecode.put(prototype, code);
        }
        writeBytes(out, code);
        out.writeShort(upvalues.length);
        for (final Object value : upvalues) {
            writeValue(out, value);
        }
    }

    private static void writeValue(final DataOutputStream out, final Object value) throws IOException {
        switch (value) {
            case null -> out.writeByte(0);
            case byte[] bytes -> {
                out.writeByte(1);
                writeBytes(out, bytes);
            }
            case Integer i -> {
                out.writeByte(2);
                out.writeInt(i);
            }
            case Double d -> {
                out.writeByte(3);
                out.writeDouble(d);
            }
            case Boolean b -> {
                out.writeByte(4);
                out.writeBoolean(b);
            }
            case LuaSnapshot.Table table -> {
                out.writeByte(5);
                out.writeInt(table.entries().size());
                for (final Object[] entry : table.entries()) {
                    writeValue(out, entry[0]);
                    writeValue(out, entry[1]);
                }
            }
            default -> out.writeByte(0);
        }
    }

    private static Object readValue(final DataInputStream in) throws IOException {
        return switch (in.readUnsignedByte()) {
            case 1 -> readBytes(in);
            case 2 -> in.readInt();
            case 3 -> in.readDouble();
            case 4 -> in.readBoolean();
            case 5 -> {
                final int n = in.readInt();
                final List<Object[]> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    entries.add(new Object[] {readValue(in), readValue(in)});
                }
                yield new LuaSnapshot.Table(entries);
            }
            default -> null;
        };
    }

    private static void writeBytes(final DataOutputStream out, final byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(final DataInputStream in) throws IOException {
        final byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }
}
