/**
 * libc through FFM: thread CPU affinity ({@code sched_setaffinity}/{@code sched_getaffinity}), thread
 * ids and errno text. Entry points: {@link io.trawl.bindings.libc.Libc} (raw calls, the availability
 * gate) and {@link io.trawl.bindings.libc.CpuAffinity} (what the rest of trawl uses to pin threads).
 */
package io.trawl.bindings.libc;
