package io.trawl.capture.pcap;

import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSourceProvider;
import io.trawl.config.ConfigException;
import io.trawl.config.TrawlContext;
import io.trawl.config.TrawlSettings;

import java.nio.file.Files;

import java.nio.file.Path;

/** {@code pcap:PATH}: replays a pcap or pcapng file (see {@link PcapFileSource}). */
public final class PcapSourceProvider implements CaptureSourceProvider {
    @Override
    public String scheme() {
        return "pcap";
    }

    @Override
    public String usage() {
        return "pcap:PATH (pcap or pcapng file)";
    }

    @Override
    public CaptureSource open(final String argument, final TrawlContext context) {
        final Path path = Path.of(argument);
        if (argument.isEmpty() || !Files.exists(path)) {
            throw new ConfigException(TrawlSettings.SOURCE.key(), "pcap:" + argument + ": no such file");
        }
        return PcapFileSource.open(path, context.realtime(), context.packetLimit());
    }
}
