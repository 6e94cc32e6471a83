package io.trawl.bindings.linux;

import io.trawl.bindings.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Facts about a network interface, asked of the kernel through {@code ioctl}s on a throwaway socket, so
 * the answers come from the calling thread's network namespace (unlike {@code /sys/class/net}, which shows
 * the namespace sysfs was mounted in).
 *
 * <p>Thread safety: stateless; any thread.
 */
public final class NetworkInterfaces {
    /** Hardware type of Ethernet devices (veth, NICs). */
    public static final int ARPHRD_ETHER = 1;
    /** Hardware type of the loopback device (Ethernet framing with zero addresses). */
    public static final int ARPHRD_LOOPBACK = 772;
    /** Hardware type of devices without a link-layer header (tun). */
    public static final int ARPHRD_NONE = 0xFFFE;

    static final long SIOCGIFMTU = 0x8921;
    static final long SIOCGIFHWADDR = 0x8927;
    static final long SIOCETHTOOL = 0x8946;
    static final int ETHTOOL_GCHANNELS = 0x3c;
    /** {@code struct ifreq}: {@code char ifr_name[16]} then a 24-byte union. */
    static final int IFREQ_SIZE = 40;
    static final int IFREQ_UNION_OFFSET = 16;
    /** {@code struct ethtool_channels}: nine {@code __u32}. */
    static final int ETHTOOL_CHANNELS_SIZE = 36;
    static final int CHANNELS_MAX_RX = 4;
    static final int CHANNELS_MAX_COMBINED = 16;
    static final int CHANNELS_RX_COUNT = 20;
    static final int CHANNELS_COMBINED_COUNT = 32;
    private static final int AF_UNIX = 1;
    private static final int IFNAMSIZ = 16;

    private NetworkInterfaces() {
    }

    /**
     * How many receive queues an interface has.
     *
     * @param active   queues that receive traffic now ({@code ethtool -l}: current RX + combined)
     * @param maximum  queues the device could have ({@code ethtool -l}: pre-set maximums)
     * @param reported false when the driver does not report channels (then {@code active} is 1, a guess)
     */
    public record RxQueues(int active, int maximum, boolean reported) {
    }

    /**
     * The index of {@code name}.
     *
     * @throws NativeException with {@code ENODEV} and the list of existing interfaces when there is none
     */
    public static int index(final String name) {
        checkName(name);
        final int index = Linux.ifNameToIndex(name);
        if (index < 0) {
            throw new NativeException("no network interface named '" + name + "' in this network namespace "
                + "(interfaces here: " + String.join(", ", Linux.interfaceNames()) + ")", -index);
        }
        return index;
    }

    /** The RX queues of {@code name} ({@code ETHTOOL_GCHANNELS}). */
    public static RxQueues rxQueues(final String name) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment channels = arena.allocate(ETHTOOL_CHANNELS_SIZE);
            channels.set(JAVA_INT, 0, ETHTOOL_GCHANNELS);
            final MemorySegment request = ifreq(arena, name);
            request.set(java.lang.foreign.ValueLayout.ADDRESS, IFREQ_UNION_OFFSET, channels);
            final int rc = ioctl(SIOCETHTOOL, request);
            if (rc < 0) {
                return new RxQueues(1, 1, false);
            }
            final int active = channels.get(JAVA_INT, CHANNELS_RX_COUNT) + channels.get(JAVA_INT, CHANNELS_COMBINED_COUNT);
            final int maximum = channels.get(JAVA_INT, CHANNELS_MAX_RX) + channels.get(JAVA_INT, CHANNELS_MAX_COMBINED);
            return new RxQueues(Math.max(1, active), Math.max(Math.max(1, active), maximum), true);
        }
    }

    /** The hardware type ({@link #ARPHRD_ETHER}, ...), from {@code SIOCGIFHWADDR}. */
    public static int hardwareType(final String name) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment request = ifreq(arena, name);
            final int rc = ioctl(SIOCGIFHWADDR, request);
            if (rc < 0) {
                throw new NativeException("cannot read the hardware type of " + name + ": " + Errno.describe(-rc), -rc);
            }
            return request.get(JAVA_SHORT, IFREQ_UNION_OFFSET) & 0xFFFF;
        }
    }

    /** The MTU of {@code name}, from {@code SIOCGIFMTU}. */
    public static int mtu(final String name) {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment request = ifreq(arena, name);
            final int rc = ioctl(SIOCGIFMTU, request);
            if (rc < 0) {
                throw new NativeException("cannot read the MTU of " + name + ": " + Errno.describe(-rc), -rc);
            }
            return request.get(JAVA_INT, IFREQ_UNION_OFFSET);
        }
    }

    private static MemorySegment ifreq(final Arena arena, final String name) {
        checkName(name);
        final MemorySegment request = arena.allocate(IFREQ_SIZE, 8);
        final byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        MemorySegment.copy(bytes, 0, request, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, bytes.length);
        return request;
    }

    private static void checkName(final String name) {
        if (name.isEmpty() || name.length() >= IFNAMSIZ || name.contains("/") || name.contains(" ")) {
            throw new NativeException("'" + name + "' is not a valid interface name (1 to 15 characters, no '/' or spaces)",
                Errno.EINVAL);
        }
    }

    private static int ioctl(final long request, final MemorySegment argument) {
        final int fd = Linux.socket(AF_UNIX, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new NativeException("cannot create a socket for interface ioctls: " + Errno.describe(-fd), -fd);
        }
        try {
            return Linux.ioctl(fd, request, argument);
        } finally {
            Linux.close(fd);
        }
    }
}
