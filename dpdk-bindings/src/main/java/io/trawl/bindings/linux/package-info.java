/**
 * The Linux kernel interfaces behind live capture, through FFM: {@link io.trawl.bindings.linux.Linux}
 * (sockets, mmap, poll, bpf, ioctl, setns as raw calls returning {@code -errno}),
 * {@link io.trawl.bindings.linux.NetworkInterfaces} (index, RX queues, hardware type, MTU),
 * {@link io.trawl.bindings.linux.Capabilities} (which capability an {@code EPERM} lacks),
 * {@link io.trawl.bindings.linux.NetworkNamespace} (move a thread into a named network namespace) and
 * {@link io.trawl.bindings.linux.Errno}.
 */
package io.trawl.bindings.linux;
