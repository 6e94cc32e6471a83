package io.trawl.capture.afxdp;

/** {@code afxdp:} with the program in the driver (veth's native XDP) passes the capture-source contract. */
class AfXdpDriverModeContractTest extends AfXdpSourceContractTest {
    @Override
    protected AfXdpOptions.XdpMode mode() {
        return AfXdpOptions.XdpMode.DRV;
    }
}
