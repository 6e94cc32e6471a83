package io.trawl.capture;

/**
 * A capture source cannot be opened or read. The message is for the operator: it names the source, what
 * is wrong and, where known, what to do. Never thrown for a single bad packet (those are counted).
 */
public class CaptureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CaptureException(final String message) {
        super(message);
    }

    public CaptureException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
