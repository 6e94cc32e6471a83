/**
 * Benchmarks. Microbenchmarks are JMH ({@link io.trawl.perf.JmhMain} runs them with trawl's JVM flags);
 * end-to-end comparisons with peers (tcpdump, dpdk-testpmd, lua5.4, fio...) are mains that interleave
 * A and B runs and report medians and ratios. Figures and reproducing commands: {@code perf/RESULTS.md}.
 * Run everything through {@code perf/run}.
 */
package io.trawl.perf;
