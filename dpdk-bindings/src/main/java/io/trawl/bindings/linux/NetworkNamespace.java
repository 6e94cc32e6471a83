package io.trawl.bindings.linux;

import io.trawl.bindings.NativeException;

/**
 * Moves the calling thread into a named network namespace ({@code ip netns add NAME} creates
 * {@code /var/run/netns/NAME}) and back. Sockets, interface lookups and XDP attachments made by the thread
 * meanwhile belong to that namespace; descriptors stay usable from every thread afterwards.
 *
 * <p>Use: {@code try (NetworkNamespace.Entered in = NetworkNamespace.enter("trawl-rx")) { open sockets }}.
 * Only the calling thread moves (network namespaces may be changed per thread).
 */
public final class NetworkNamespace {
    private NetworkNamespace() {
    }

    /** The calling thread, moved into namespace {@code name} until {@link #close()}. */
    public static final class Entered implements AutoCloseable {
        private final int original;
        private boolean closed;

        private Entered(final int original) {
            this.original = original;
        }

        /** Moves the thread back to the namespace it was in. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            final int rc = Linux.setns(original, Linux.CLONE_NEWNET);
            Linux.close(original);
            if (rc < 0) {
                throw new NativeException("cannot return to the original network namespace: " + Errno.describe(-rc), -rc);
            }
        }
    }

    /** Moves the calling thread into {@code /var/run/netns/NAME}. */
    public static Entered enter(final String name) {
        final int original = Linux.open("/proc/thread-self/ns/net", Linux.O_RDONLY | Linux.O_CLOEXEC);
        if (original < 0) {
            throw new NativeException("cannot open this thread's network namespace: " + Errno.describe(-original), -original);
        }
        final int target = Linux.open("/var/run/netns/" + name, Linux.O_RDONLY | Linux.O_CLOEXEC);
        if (target < 0) {
            Linux.close(original);
            throw new NativeException("no network namespace '" + name + "' (ip netns list): " + Errno.describe(-target), -target);
        }
        try {
            final int rc = Linux.setns(target, Linux.CLONE_NEWNET);
            if (rc < 0) {
                Linux.close(original);
                throw new NativeException("cannot enter network namespace '" + name + "': " + Errno.describe(-rc)
                    + (rc == -Errno.EPERM ? " (needs CAP_SYS_ADMIN)" : ""), -rc);
            }
        } finally {
            Linux.close(target);
        }
        return new Entered(original);
    }
}
