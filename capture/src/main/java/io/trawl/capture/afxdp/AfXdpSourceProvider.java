package io.trawl.capture.afxdp;

import io.trawl.bindings.NativeException;
import io.trawl.capture.CaptureException;
import io.trawl.capture.CaptureSource;
import io.trawl.capture.CaptureSourceProvider;
import io.trawl.config.TrawlContext;

/** {@code afxdp:IFACE[@QUEUE]}: live capture with AF_XDP (see {@link AfXdpSource}). */
public final class AfXdpSourceProvider implements CaptureSourceProvider {
    @Override
    public String scheme() {
        return "afxdp";
    }

    @Override
    public String usage() {
        return "afxdp:IFACE[@QUEUE] (AF_XDP live capture; every active RX queue without @QUEUE)";
    }

    @Override
    public CaptureSource open(final String argument, final TrawlContext context) {
        final AfXdpOptions options = AfXdpOptions.from(argument, context);
        try {
            return AfXdpSource.open(options);
        } catch (final NativeException e) {
            throw new CaptureException("afxdp:" + argument + ": " + e.getMessage(), e);
        } catch (final IllegalStateException e) {
            throw new CaptureException("afxdp:" + argument + ": " + e.getMessage(), e);
        }
    }
}
