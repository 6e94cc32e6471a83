/**
 * Flow tracking per pipeline: {@link io.trawl.pipeline.flow.FlowTable} keys flows by the canonical 5-tuple
 * (the A and Z ends of Trisul's flow key), counts packets and bytes per direction, ends flows by idle
 * timeout (per protocol class), TCP close or end of input, and tells listeners. Keys are formatted as
 * Trisul flow-key strings by {@link io.trawl.pipeline.flow.FlowKeyFormat}.
 *
 * <p>Threading: a table belongs to one pipeline thread. Flow handles (ints) are stable for a flow's life
 * and reused after it ends.
 */
package io.trawl.pipeline.flow;
