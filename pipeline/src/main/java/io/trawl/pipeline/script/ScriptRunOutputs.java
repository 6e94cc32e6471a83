package io.trawl.pipeline.script;

import io.trawl.pipeline.script.output.CounterOutput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What the pipelines' script stages share in one run: the merged counter output and the message bus.
 * The per-pipeline appenders of {@code alerts.jsonl}, {@code resources.jsonl} and
 * {@code script_log.jsonl} write to shared files whose previous contents are removed here.
 */
final class ScriptRunOutputs {
    static final String COUNTERS = "counters.jsonl";
    static final String ALERTS = "alerts.jsonl";
    static final String RESOURCES = "resources.jsonl";

    private final CounterOutput counters;
    private final MessageBus messages;

    ScriptRunOutputs(final ScriptHost host, final int pipelines) {
        try {
            if (!host.context().get(io.trawl.config.TrawlSettings.OUTPUTS_APPEND)) {
                for (final String name : new String[] {COUNTERS, ALERTS, RESOURCES, ScriptHost.SCRIPT_LOG}) {
                    Files.deleteIfExists(host.outputPath(name));
                }
            }
            // a previous run's packet_storage series (p<pipeline>-<seq>.pcap) would mix with this run's
            final Path storage = host.packetStorageDirectory();
            if (Files.isDirectory(storage)) {
                try (Stream<Path> files = Files.list(storage)) {
                    for (final Path file : files.filter(f -> f.getFileName().toString()
                        .matches("p\\d+-\\d{5}\\.pcap")).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot prepare script outputs in " + host.outputPath("") + ": "
                + e.getMessage(), e);
        }
        this.counters = new CounterOutput(host.outputPath(COUNTERS), pipelines);
        this.messages = new MessageBus(pipelines);
    }

    CounterOutput counters() {
        return counters;
    }

    MessageBus messages() {
        return messages;
    }

}
