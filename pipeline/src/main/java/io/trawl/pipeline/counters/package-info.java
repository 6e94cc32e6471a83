/**
 * Counters operators read from outside the process. {@link io.trawl.pipeline.counters.CountersFile} maps
 * {@code STATE/counters.dat} (an Agrona counters layout, like Aeron's CnC file) so that {@code trawl
 * counters --state DIR} or any Agrona {@code CountersReader} can watch a running appliance. Each module
 * registers its counters in one enum with stable type ids ({@link io.trawl.pipeline.counters.PipelineCounter}
 * here: 200-299; capture 100-199, async 300-399, scripts 400-499, reassembly 500-599).
 *
 * <p>Hot paths count in plain fields of their own thread and publish to the mapped counters with a release
 * store once per duty cycle, so counting costs no atomic instruction per packet.
 */
package io.trawl.pipeline.counters;
