/**
 * AF_XDP capture with raw system calls, no libxdp or libbpf: {@link io.trawl.bindings.xdp.XdpSocket} (one
 * socket bound to one RX queue, with its UMEM, fill ring and RX ring) and
 * {@link io.trawl.bindings.xdp.XdpRedirectProgram} (the XSKMAP, the redirect program and its
 * crash-safe {@code BPF_LINK_CREATE} attachment, one per interface).
 *
 * <p>Memory-ordering contract of the kernel-shared rings: indices are {@code u32} in the mapped ring
 * segments, accessed only through {@link java.lang.invoke.VarHandle} acquire loads and release stores
 * ({@code getAcquire}/{@code setRelease}); descriptors are plain reads/writes ordered by those. The
 * producer of a ring writes its entries then release-stores its producer index; the consumer
 * acquire-loads the producer index, reads the entries, then release-stores its consumer index. Each side
 * caches the other's index and reloads it only when its cached view is empty or full. Offsets within the
 * mappings come from the kernel ({@code XDP_MMAP_OFFSETS}); struct layouts are checked against the
 * installed kernel headers by a test.
 */
package io.trawl.bindings.xdp;
