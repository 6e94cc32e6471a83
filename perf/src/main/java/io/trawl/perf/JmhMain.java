package io.trawl.perf;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs JMH benchmarks with trawl's JVM flags appended to every fork: {@code perf/run jmh DecodeBenchmark
 * -prof gc}. Accepts every JMH command-line option.
 */
public final class JmhMain {
    private JmhMain() {
    }

    public static void main(final String[] args) throws Exception {
        final CommandLineOptions options = new CommandLineOptions(args);
        final ChainedOptionsBuilder builder = new OptionsBuilder().parent(options).jvmArgsAppend(TrawlJvm.flags());
        new Runner(builder.build()).run();
    }
}
