/**
 * {@code afxdp:IFACE[@QUEUE]}: live capture through AF_XDP sockets, zero-copy into the pipelines
 * ({@link io.trawl.capture.afxdp.AfXdpSource}). The native side is {@code io.trawl.bindings.xdp}.
 */
package io.trawl.capture.afxdp;
