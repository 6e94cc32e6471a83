package io.trawl.bindings;

/**
 * A native call failed. Carries the C {@code errno} (0 when none applies) and a message written for the
 * operator: what failed, why (the errno name and text), and what to do about it where that is known.
 */
public class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public NativeException(final String message, final int errno) {
        super(message);
        this.errno = errno;
    }

    public NativeException(final String message, final Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    /** The C errno of the failed call, or 0. */
    public int errno() {
        return errno;
    }
}
