package io.trawl.capture;

import io.trawl.bindings.linux.NetworkNamespace;
import io.trawl.bindings.testsupport.VethRig;
import io.trawl.testsupport.SharedCorpus;

import java.nio.file.Path;

/**
 * The capture-source contract for a live source: the reference capture is replayed with tcpreplay into
 * a veth pair inside namespaces of the test's own, and the source opened on the receiving end.
 */
public abstract class LiveSourceContractTest extends CaptureSourceContractTest {
    /** The veth rig the concrete class created (in its {@code @BeforeAll}). */
    protected abstract VethRig rig();

    /** Opens the source on {@code interfaceName}; called inside the rig's receiver namespace. */
    protected abstract CaptureSource openOnReceiver(String interfaceName);

    @Override
    protected Path referenceCapture() {
        return SharedCorpus.sixteenMinutes();
    }

    @Override
    protected long deliveryTimeoutSeconds() {
        return 30;
    }

    @Override
    protected final CaptureSource openReplaying(final Path capture) {
        final CaptureSource source;
        try (NetworkNamespace.Entered in = NetworkNamespace.enter(rig().receiverNamespace())) {
            source = openOnReceiver(rig().receiverInterface());
        }
        return LiveReplay.start(source, rig(), capture, "--topspeed");
    }
}
