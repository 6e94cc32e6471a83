package io.trawl.bindings.dpdk;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gate: either DPDK 22.11 is usable, or the cause says what to install. Runs everywhere. */
class DpdkAvailabilityTest {
    @Test
    void eitherAKnownReleaseIsLoadedOrTheCauseNamesTheDebianPackages() {
        if (Dpdk.isAvailable()) {
            assertThat(Dpdk.unavailabilityCause()).isNull();
            assertThat(Dpdk.version()).startsWith("DPDK " + Dpdk.abi().release() + ".");
            assertThat(DpdkAbi.KNOWN).contains(Dpdk.abi());
        } else {
            assertThat(Dpdk.unavailabilityCause().getMessage()).contains(Dpdk.DEBIAN_PACKAGES);
            assertThatThrownBy(Dpdk::ensureAvailable).isInstanceOf(DpdkException.class)
                .hasMessageContaining(Dpdk.DEBIAN_PACKAGES);
        }
    }

    @Test
    void unknownReleasesAreNotMatched() {
        assertThat(DpdkAbi.forVersionString("DPDK 22.11.11")).contains(DpdkAbi.DPDK_22_11);
        assertThat(DpdkAbi.forVersionString("DPDK 23.11.2")).isEmpty();
        assertThat(DpdkAbi.forVersionString("DPDK 22.1.3")).isEmpty();
    }

    @Test
    void everyKnownLayoutHasDataLenWithinTheWordReadAtPktLen() {
        for (final DpdkAbi abi : DpdkAbi.KNOWN) {
            assertThat(abi.mbufDataLength - abi.mbufPacketLength).as(abi + ": Mbuf.lengths reads both in one load")
                .isBetween(4, 6);
        }
    }

    @Test
    void anUnknownReleaseIsRefusedWithAMessageNamingWhatIsKnown() {
        assertThat(Linking.unknownReleaseMessage("DPDK 23.11.2"))
            .contains("DPDK 23.11.2 is installed", "DPDK 22.11 (ABI 23)", "refuses", "apt-get install dpdk libdpdk-dev");
    }
}
