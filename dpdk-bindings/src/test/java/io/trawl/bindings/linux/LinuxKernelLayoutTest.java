package io.trawl.bindings.linux;

import io.trawl.bindings.testsupport.CProbe;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The libc/kernel constants and layouts of {@link Linux} and {@link NetworkInterfaces}, against the headers. */
class LinuxKernelLayoutTest {
    @Test
    void constantsAndLayoutsMatchTheHeaders() {
        final Object[][] table = {
            {"AF_PACKET", Linux.AF_PACKET},
            {"AF_XDP", Linux.AF_XDP},
            {"SOCK_RAW", Linux.SOCK_RAW},
            {"SOCK_DGRAM", Linux.SOCK_DGRAM},
            {"SOCK_CLOEXEC", Linux.SOCK_CLOEXEC},
            {"SOL_SOCKET", Linux.SOL_SOCKET},
            {"SO_BUSY_POLL", Linux.SO_BUSY_POLL},
            {"SO_PREFER_BUSY_POLL", Linux.SO_PREFER_BUSY_POLL},
            {"SO_BUSY_POLL_BUDGET", Linux.SO_BUSY_POLL_BUDGET},
            {"MSG_DONTWAIT", Linux.MSG_DONTWAIT},
            {"PROT_READ", Linux.PROT_READ},
            {"PROT_WRITE", Linux.PROT_WRITE},
            {"MAP_SHARED", Linux.MAP_SHARED},
            {"MAP_PRIVATE", Linux.MAP_PRIVATE},
            {"MAP_ANONYMOUS", Linux.MAP_ANONYMOUS},
            {"MAP_POPULATE", Linux.MAP_POPULATE},
            {"MADV_HUGEPAGE", Linux.MADV_HUGEPAGE},
            {"POLLIN", Linux.POLLIN},
            {"POLLERR", Linux.POLLERR},
            {"sizeof(struct pollfd)", Linux.POLLFD_SIZE},
            {"offsetof(struct pollfd, revents)", 6},
            {"O_RDONLY", Linux.O_RDONLY},
            {"O_CLOEXEC", Linux.O_CLOEXEC},
            {"CLONE_NEWNET", Linux.CLONE_NEWNET},
            {"SYS_bpf", Linux.SYS_BPF},
            {"SIOCGIFMTU", NetworkInterfaces.SIOCGIFMTU},
            {"SIOCGIFHWADDR", NetworkInterfaces.SIOCGIFHWADDR},
            {"SIOCETHTOOL", NetworkInterfaces.SIOCETHTOOL},
            {"ETHTOOL_GCHANNELS", NetworkInterfaces.ETHTOOL_GCHANNELS},
            {"sizeof(struct ifreq)", NetworkInterfaces.IFREQ_SIZE},
            {"offsetof(struct ifreq, ifr_ifru)", NetworkInterfaces.IFREQ_UNION_OFFSET},
            {"sizeof(struct ethtool_channels)", NetworkInterfaces.ETHTOOL_CHANNELS_SIZE},
            {"offsetof(struct ethtool_channels, max_rx)", NetworkInterfaces.CHANNELS_MAX_RX},
            {"offsetof(struct ethtool_channels, max_combined)", NetworkInterfaces.CHANNELS_MAX_COMBINED},
            {"offsetof(struct ethtool_channels, rx_count)", NetworkInterfaces.CHANNELS_RX_COUNT},
            {"offsetof(struct ethtool_channels, combined_count)", NetworkInterfaces.CHANNELS_COMBINED_COUNT},
            {"ARPHRD_ETHER", NetworkInterfaces.ARPHRD_ETHER},
            {"ARPHRD_LOOPBACK", NetworkInterfaces.ARPHRD_LOOPBACK},
            {"ARPHRD_NONE", NetworkInterfaces.ARPHRD_NONE},
            {"EPERM", Errno.EPERM}, {"EBUSY", Errno.EBUSY}, {"EEXIST", Errno.EEXIST}, {"ENODEV", Errno.ENODEV},
            {"EINVAL", Errno.EINVAL}, {"EOPNOTSUPP", Errno.EOPNOTSUPP}, {"EAFNOSUPPORT", Errno.EAFNOSUPPORT},
            {"ENOBUFS", Errno.ENOBUFS}, {"ENETDOWN", Errno.ENETDOWN}, {"ENOPROTOOPT", Errno.ENOPROTOOPT},
            {"ERANGE", Errno.ERANGE}, {"EAGAIN", Errno.EAGAIN}, {"EINTR", Errno.EINTR}, {"ENOMEM", Errno.ENOMEM},
        };
        final Map<String, Long> expected = new LinkedHashMap<>();
        final Map<String, String> probe = new LinkedHashMap<>();
        for (final Object[] row : table) {
            expected.put((String) row[0], ((Number) row[1]).longValue());
            probe.put((String) row[0], (String) row[0]);
        }
        final Map<String, Long> actual = CProbe.evaluate(List.of("sys/socket.h", "sys/mman.h", "sys/syscall.h", "poll.h",
            "fcntl.h", "sched.h", "errno.h", "net/if.h", "net/if_arp.h", "sys/ioctl.h", "linux/sockios.h",
            "linux/ethtool.h"), probe);
        assertThat(actual).isEqualTo(expected);
    }
}
