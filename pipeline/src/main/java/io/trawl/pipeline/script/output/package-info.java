/**
 * The script layer's outputs: counter groups bucketed by packet time and merged over pipelines
 * ({@link io.trawl.pipeline.script.output.CounterStore} per pipeline,
 * {@link io.trawl.pipeline.script.output.CounterOutput} per run), and the rotating pcap files of
 * packet_storage ({@link io.trawl.pipeline.script.output.RotatingPcapWriter}).
 */
package io.trawl.pipeline.script.output;
