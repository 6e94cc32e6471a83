package io.trawl.capture.pcap;

import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSourceContractTest;
import io.trawl.testsupport.SharedCorpus;

import java.nio.file.Path;

class PcapFileSourceContractTest extends CaptureSourceContractTest {
    @Override
    protected Path referenceCapture() {
        return SharedCorpus.sixteenMinutes();
    }

    @Override
    protected CaptureSource openReplaying(final Path capture) {
        return PcapFileSource.open(capture);
    }
}
