/**
 * Hand-off from a source queue to pipelines when the source has fewer queues than there are pipelines
 * (a capture file, a NIC without RSS). A {@link io.trawl.pipeline.dispatch.PacketDispatcher} agent polls a
 * queue, computes the symmetric flow hash and writes each packet into the
 * {@link io.trawl.pipeline.dispatch.HandoffRing} of its pipeline: one single-producer/single-consumer ring
 * per (dispatcher, pipeline) pair, no locks. Packets whose memory outlives the poll (a mapped file) travel
 * as 32-byte descriptors; others are copied into the ring once.
 */
package io.trawl.pipeline.dispatch;
