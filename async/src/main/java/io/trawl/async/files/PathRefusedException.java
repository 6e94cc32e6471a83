package io.trawl.async.files;

/** A T.async path is outside the allowed roots, contains {@code ..}, or escapes through a symlink. */
public final class PathRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public PathRefusedException(final String message) {
        super(message, null, false, false);
    }
}
