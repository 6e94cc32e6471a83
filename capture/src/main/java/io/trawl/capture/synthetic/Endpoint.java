package io.trawl.capture.synthetic;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address, port and MAC address of a synthetic host.
 *
 * @param address 4 bytes (IPv4) or 16 bytes (IPv6)
 * @param port    0..65535
 * @param mac     6 bytes
 */
public record Endpoint(byte[] address, int port, byte[] mac) {
    /** An endpoint from a literal address; the MAC is derived from the address. */
    public static Endpoint of(final String ip, final int port) {
        try {
            final byte[] address = InetAddress.getByName(ip).getAddress();
            final byte[] mac = {0x02, 0x00, address[address.length - 4], address[address.length - 3],
                address[address.length - 2], address[address.length - 1]};
            return new Endpoint(address, port, mac);
        } catch (final UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }

    /** True for IPv6. */
    public boolean isIpv6() {
        return address.length == 16;
    }

    /** The same host on another port. */
    public Endpoint withPort(final int newPort) {
        return new Endpoint(address, newPort, mac);
    }
}
