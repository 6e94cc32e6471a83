/**
 * DPDK ports as capture sources ({@code dpdk:DEVARGS}): {@link io.trawl.capture.dpdk.DpdkSource} over the
 * bindings in {@code io.trawl.bindings.dpdk}, one RX queue per pipeline with symmetric RSS where the device
 * has it, packets read in place from mbufs. Configured by the {@code dpdk.*} settings.
 */
package io.trawl.capture.dpdk;
