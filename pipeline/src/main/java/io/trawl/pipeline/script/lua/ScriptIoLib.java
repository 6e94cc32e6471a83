package io.trawl.pipeline.script.lua;

import org.luaj.vm2.lib.jse.JseIoLib;

import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * Lua's {@code io} library as LuaJ's {@link JseIoLib}, with the update modes fixed: LuaJ 3.0.1 opens
 * {@code "r+"}/{@code "r+b"} read-only, so writing at a position of an existing file (what scripts do to
 * assemble a file from parts) silently does nothing. Here {@code "r+"} is C's: the file must exist, it is
 * opened for reading and writing, not truncated, positioned at its start.
 */
public final class ScriptIoLib extends JseIoLib {
    @Override
    protected File openFile(final String filename, final boolean readMode, final boolean appendMode,
                            final boolean updateMode, final boolean binaryMode) throws IOException {
        if (readMode && updateMode) {
            if (!new java.io.File(filename).isFile()) {
                throw new FileNotFoundException(filename + ": No such file or directory");
            }
            // LuaJ's append mode opens "rw" without truncating (positioned at the end): rewind it
            final File file = super.openFile(filename, false, true, true, binaryMode);
            file.seek("set", 0);
            return file;
        }
        return super.openFile(filename, readMode, appendMode, updateMode, binaryMode);
    }
}
