/**
 * Every native binding of trawl, through the Foreign Function &amp; Memory API: libc (thread affinity,
 * errno), the Linux socket, memory and {@code bpf(2)} calls ({@code linux}), AF_XDP ({@code xdp}) and
 * AF_PACKET TPACKET_V3 ({@code packet}), and DPDK. This is the only module that touches
 * {@link java.lang.foreign.Linker}; the rest of trawl calls the facades here.
 *
 * <p>Conventions, like Netty's {@code Epoll}: one facade class per native library, {@code static final}
 * method handles called with {@code invokeExact}, and an {@code isAvailable()} /
 * {@code unavailabilityCause()} gate so callers can explain a missing library instead of failing with
 * a linkage error. Native failures surface as {@link io.trawl.bindings.NativeException} carrying errno
 * and a sentence the operator can act on.
 */
package io.trawl.bindings;
