package io.trawl.bindings.dpdk;

import io.trawl.bindings.NativeException;

/**
 * A DPDK call failed. The message names the call and the object (port, queue, pool), DPDK's text for the
 * error, and what to do where that is known; {@link #errno()} is the positive errno (ethdev calls return
 * {@code -errno}; EAL and mempool calls set {@code rte_errno}).
 */
public final class DpdkException extends NativeException {
    private static final long serialVersionUID = 1L;

    public DpdkException(final String message, final int errno) {
        super(message, errno);
    }

    public DpdkException(final String message, final Throwable cause) {
        super(message, cause);
    }

    /** For calls returning {@code -errno}: "what: DPDK's text (errno N)". */
    static DpdkException fromReturnCode(final String what, final int returnCode) {
        final int errno = Math.abs(returnCode);
        return new DpdkException(what + ": " + Dpdk.strerror(errno) + " (errno " + errno + ")", errno);
    }
}
