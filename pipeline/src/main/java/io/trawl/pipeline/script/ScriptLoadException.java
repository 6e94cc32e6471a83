package io.trawl.pipeline.script;

/**
 * A script cannot be loaded: a syntax error, a missing or incomplete {@code id}, a malformed script-type
 * table, an error while its main chunk runs. The message starts with {@code file:line:}.
 */
public final class ScriptLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public ScriptLoadException(final String message) {
        super(message, null, false, false);
    }
}
