/**
 * TCP stream reassembly on the pipeline thread. {@link io.trawl.pipeline.reassembly.TcpReassembler} turns
 * the segments of the flows that someone wants into in-order byte streams per direction, delivered to
 * {@link io.trawl.pipeline.reassembly.StreamListener}s with their stream offsets. In-order bytes are
 * delivered straight from packet memory (no copy); out-of-order segments wait in off-heap memory
 * ({@link io.trawl.pipeline.reassembly.SegmentStore}) under a per-flow and a per-pipeline cap. Overlaps are
 * resolved once (first-seen bytes win; differing bytes are counted as conflicts), holes that can no longer
 * be filled become gaps (reported with their size), sequence numbers wrap around, and streams end at FIN,
 * RST, idle timeout or end of input.
 *
 * <p>Threading: everything here belongs to one pipeline thread.
 */
package io.trawl.pipeline.reassembly;
