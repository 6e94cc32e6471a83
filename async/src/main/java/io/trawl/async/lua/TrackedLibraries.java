package io.trawl.async.lua;

import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.jse.JseIoLib;
import org.luaj.vm2.lib.jse.JseOsLib;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * {@code io} and {@code os} libraries for worker states whose {@code io.popen} and {@code os.execute}
 * start their commands through a {@link ProcessTracker} (and {@code /bin/sh -c}), so a timed-out
 * onexecute can have its children killed. Everything else is LuaJ's JSE implementation.
 */
final class TrackedLibraries {
    /** Children never read the appliance's standard input. */
    private static final ProcessBuilder.Redirect NO_INPUT = ProcessBuilder.Redirect.from(new java.io.File("/dev/null"));

    private TrackedLibraries() {
    }

    /** {@code io} with a tracked {@code io.popen}. */
    static final class TrackedIo extends JseIoLib {
        private final ProcessTracker tracker;

        TrackedIo(final ProcessTracker tracker) {
            this.tracker = tracker;
        }

        @Override
        protected File openProgram(final String program, final String mode) throws IOException {
            final boolean write = mode != null && mode.startsWith("w");
            final Process process = tracker.start(program,
                write ? ProcessBuilder.Redirect.PIPE : NO_INPUT,
                write ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.PIPE);
            return new ProgramFile(process, write);
        }

        /** The pipe to or from a child process. */
        private final class ProgramFile extends File {
            private final Process process;
            private final BufferedInputStream in;
            private final OutputStream out;
            private boolean closed;

            ProgramFile(final Process process, final boolean write) {
                this.process = process;
                this.in = write ? null : new BufferedInputStream(process.getInputStream());
                this.out = write ? process.getOutputStream() : null;
                if (write) {
                    try {
                        process.getInputStream().close();
                    } catch (final IOException ignored) {
                        // nothing to read from a write pipe
                    }
                }
            }

            @Override
            public void write(final LuaString string) throws IOException {
                if (out == null) {
                    throw new IOException("not opened for writing");
                }
                string.write(new java.io.DataOutputStream(out), 0, string.m_length);
            }

            @Override
            public void flush() throws IOException {
                if (out != null) {
                    out.flush();
                }
            }

            @Override
            public boolean isstdfile() {
                return false;
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                if (out != null) {
                    out.close();
                }
                if (in != null) {
                    in.close();
                }
                try {
                    process.waitFor();
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
            }

            @Override
            public boolean isclosed() {
                return closed;
            }

            @Override
            public int seek(final String option, final int bytePos) throws IOException {
                throw new IOException("cannot seek on a pipe");
            }

            @Override
            public void setvbuf(final String mode, final int size) {
            }

            @Override
            public int remaining() {
                return -1;
            }

            @Override
            public int peek() throws IOException {
                final InputStream stream = input();
                stream.mark(1);
                final int c = stream.read();
                stream.reset();
                return c;
            }

            @Override
            public int read() throws IOException {
                return input().read();
            }

            @Override
            public int read(final byte[] bytes, final int offset, final int length) throws IOException {
                return input().read(bytes, offset, length);
            }

            private InputStream input() throws IOException {
                if (in == null) {
                    throw new IOException("not opened for reading");
                }
                return in;
            }

            @Override
            public String tojstring() {
                return "file (program " + process.pid() + ")";
            }
        }
    }

    /** {@code os} with a tracked {@code os.execute}. */
    static final class TrackedOs extends JseOsLib {
        private final ProcessTracker tracker;

        TrackedOs(final ProcessTracker tracker) {
            this.tracker = tracker;
        }

        @Override
        protected Varargs execute(final String command) {
            if (command == null) {
                return LuaValue.TRUE; // a shell is available
            }
            try {
                final Process process = tracker.start(command, NO_INPUT, ProcessBuilder.Redirect.DISCARD);
                final int exit = process.waitFor();
                return LuaValue.varargsOf(exit == 0 ? LuaValue.TRUE : LuaValue.NIL, LuaValue.valueOf("exit"), LuaValue.valueOf(exit));
            } catch (final IOException e) {
                return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("exit"), LuaValue.valueOf(127));
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("signal"), LuaValue.valueOf(9));
            }
        }
    }
}
