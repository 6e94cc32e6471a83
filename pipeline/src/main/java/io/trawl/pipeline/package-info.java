/**
 * The fast path: {@link io.trawl.pipeline.Pipeline} agents (one per pinned thread) decode packets, track
 * flows and run the {@link io.trawl.pipeline.PipelineStage}s that later layers add (Lua scripts, TCP
 * reassembly, T.async completions). {@link io.trawl.pipeline.TrawlRun} wires a source, dispatchers and
 * pipelines together, runs them to the end of input (or a stop), and writes {@code summary.json}.
 *
 * <p>Threading model: every pipeline is a single writer of its own state; other threads reach it only
 * through queues it drains in its duty cycle. Nothing on the packet path takes a lock or allocates.
 */
package io.trawl.pipeline;
