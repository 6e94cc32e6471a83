package io.trawl.pipeline.script.objects;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses address text scripts pass around, never touching DNS: dotted IPv4, IPv6 text, and the hex forms
 * of flow keys ({@code C0.A8.01.02}, 32 hex digits).
 */
public final class Addresses {
    private Addresses() {
    }

    /** Dotted-decimal IPv4 as an unsigned 32-bit value, or -1. */
    public static long parseIpv4(final String text) {
        final String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long value = 0;
        for (final String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            final int b = Integer.parseInt(part);
            if (b > 255) {
                return -1;
            }
            value = value << 8 | b;
        }
        return value;
    }

    /**
     * The 4 or 16 bytes of an address in any of the accepted forms, or null.
     */
    public static byte[] parse(final String text) {
        final String t = text.trim();
        final long v4 = parseIpv4(t);
        if (v4 >= 0) {
            return new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
        }
        if (t.length() == 11 && t.charAt(2) == '.' && t.charAt(5) == '.' && t.charAt(8) == '.') {
            final byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                final int hi = Character.digit(t.charAt(i * 3), 16);
                final int lo = Character.digit(t.charAt(i * 3 + 1), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out[i] = (byte) (hi << 4 | lo);
            }
            return out;
        }
        if (t.length() == 32 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            final byte[] out = new byte[16];
            for (int i = 0; i < 16; i++) {
                out[i] = (byte) (Character.digit(t.charAt(2 * i), 16) << 4 | Character.digit(t.charAt(2 * i + 1), 16));
            }
            return out;
        }
        if (t.indexOf(':') >= 0 && t.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            try {
                final byte[] bytes = InetAddress.getByName(t).getAddress(); // a literal: no DNS lookup
                return bytes.length == 16 ? bytes : null;
            } catch (final UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    /** A parsed CIDR network. */
    public record Network(String text, byte[] address, int prefix) {
        /** Parses {@code a.b.c.d/n} or {@code v6/n}; a missing prefix means a single host. */
        public static Network parse(final String cidr) {
            final int slash = cidr.indexOf('/');
            final byte[] address = Addresses.parse(slash < 0 ? cidr : cidr.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("not an IPv4/IPv6 network: " + cidr);
            }
            final int prefix;
            try {
                prefix = slash < 0 ? address.length * 8 : Integer.parseInt(cidr.substring(slash + 1).trim());
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in " + cidr);
            }
            if (prefix < 0 || prefix > address.length * 8) {
                throw new IllegalArgumentException("prefix length out of range in " + cidr);
            }
            return new Network(cidr.trim(), address, prefix);
        }

        public boolean contains(final byte[] candidate) {
            if (candidate == null || candidate.length != address.length) {
                return false;
            }
            int bits = prefix;
            for (int i = 0; bits > 0; i++, bits -= 8) {
                final int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
                if ((candidate[i] & mask) != (address[i] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
