/**
 * Synthetic traffic with known content: a pcap writer, a packet builder with correct checksums, TCP
 * conversations with controllable segmentation and misbehaviour (reordering, retransmission, overlap,
 * gaps, resets), and the generator of trawl's bundled demo capture. Used by the demo, by tests that need
 * edge cases no real capture covers, and by the benchmarks.
 */
package io.trawl.capture.synthetic;
