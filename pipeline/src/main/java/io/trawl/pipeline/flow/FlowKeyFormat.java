package io.trawl.pipeline.flow;

/**
 * Trisul's flow-key string and readable forms of its parts.
 *
 * <pre>
 * 06A:C0.A8.01.02:p-0B94_D1.D8.F9.3A:p-0016
 * ^^                                          IP protocol, 2 upper-case hex digits
 *   ^                                         A = IPv4, B = IPv6
 *     ^^^^^^^^^^^                             A-end address: dotted upper-case hex bytes (IPv6: 32 hex digits)
 *                ^^^^^^^                      ":p-" and the A-end port, 4 upper-case hex digits
 *                       ^                     "_", then the Z end the same way
 * </pre>
 * The Z end is the endpoint with the lower port (usually the server); on equal ports, the lower address.
 * Scripts slice the string by position ({@code id():sub(5,22)} is the A address), so the format is exact.
 */
public final class FlowKeyFormat {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final byte[] HEX_BYTES = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** Longest key: IPv6, 4 + 2 * (32 + 7) + 1 characters. */
    public static final int MAX_KEY_LENGTH = 83;
    /** Longest IPv4 dotted-decimal address. */
    public static final int MAX_IPV4_LENGTH = 15;

    private FlowKeyFormat() {
    }

    /** Appends the key of {@code flow} to {@code out}. */
    public static StringBuilder appendKey(final StringBuilder out, final FlowTable table, final int flow) {
        final int version = table.ipVersion(flow);
        hex2(out, table.protocol(flow));
        out.append(version == 6 ? 'B' : 'A').append(':');
        appendHexAddress(out, version, table.addressAHigh(flow), table.addressALow(flow));
        out.append(":p-");
        hex4(out, table.portA(flow));
        out.append('_');
        appendHexAddress(out, version, table.addressZHigh(flow), table.addressZLow(flow));
        out.append(":p-");
        hex4(out, table.portZ(flow));
        return out;
    }

    /**
     * Writes the key of {@code flow} as ASCII bytes (the same characters {@link #appendKey} appends) into
     * {@code out} from {@code at}, which must have room for {@link #MAX_KEY_LENGTH} bytes.
     *
     * @return the index after the last byte written
     */
    public static int writeKey(final byte[] out, final int at, final FlowTable table, final int flow) {
        final int version = table.ipVersion(flow);
        int i = hex(out, at, table.protocol(flow), 2);
        out[i++] = (byte) (version == 6 ? 'B' : 'A');
        out[i++] = ':';
        i = writeEnd(out, i, version, table.addressAHigh(flow), table.addressALow(flow), table.portA(flow));
        out[i++] = '_';
        return writeEnd(out, i, version, table.addressZHigh(flow), table.addressZLow(flow), table.portZ(flow));
    }

    private static int writeEnd(final byte[] out, final int at, final int version, final long high, final long low,
                                final int port) {
        int i = at;
        if (version == 6) {
            i = hex(out, i, high, 16);
            i = hex(out, i, low, 16);
        } else {
            for (int shift = 24; shift >= 0; shift -= 8) {
                i = hex(out, i, low >>> shift, 2);
                if (shift > 0) {
                    out[i++] = '.';
                }
            }
        }
        out[i++] = ':';
        out[i++] = 'p';
        out[i++] = '-';
        return hex(out, i, port, 4);
    }

    /** Writes the low {@code digits} hex digits of {@code value}, upper case. */
    private static int hex(final byte[] out, final int at, final long value, final int digits) {
        for (int d = 0; d < digits; d++) {
            out[at + d] = HEX_BYTES[(int) (value >>> ((digits - 1 - d) * 4)) & 0xF];
        }
        return at + digits;
    }

    /**
     * Writes an IPv4 address in dotted decimal (as {@link #appendReadableAddress} does for version 4) into
     * {@code out} from {@code at}, which must have room for {@link #MAX_IPV4_LENGTH} bytes.
     *
     * @return the index after the last byte written
     */
    public static int writeReadableIpv4(final byte[] out, final int at, final long address) {
        int i = at;
        for (int shift = 24; shift >= 0; shift -= 8) {
            final int b = (int) (address >>> shift) & 0xFF;
            if (b >= 100) {
                out[i++] = (byte) ('0' + b / 100);
                out[i++] = (byte) ('0' + b / 10 % 10);
            } else if (b >= 10) {
                out[i++] = (byte) ('0' + b / 10);
            }
            out[i++] = (byte) ('0' + b % 10);
            if (shift > 0) {
                out[i++] = '.';
            }
        }
        return i;
    }

    /** The key of {@code flow} as a new string. */
    public static String key(final FlowTable table, final int flow) {
        return appendKey(new StringBuilder(48), table, flow).toString();
    }

    /** An address as the key writes it: {@code C0.A8.01.02} or 32 hex digits. */
    public static StringBuilder appendHexAddress(final StringBuilder out, final int version, final long high, final long low) {
        if (version == 6) {
            for (int shift = 60; shift >= 0; shift -= 4) {
                out.append(HEX[(int) (high >>> shift) & 0xF]);
            }
            for (int shift = 60; shift >= 0; shift -= 4) {
                out.append(HEX[(int) (low >>> shift) & 0xF]);
            }
            return out;
        }
        for (int shift = 24; shift >= 0; shift -= 8) {
            hex2(out, (int) (low >>> shift) & 0xFF);
            if (shift > 0) {
                out.append('.');
            }
        }
        return out;
    }

    /** An address in its usual text form: {@code 192.168.1.2} or RFC 5952 IPv6 ({@code 2001:db8::1}). */
    public static StringBuilder appendReadableAddress(final StringBuilder out, final int version, final long high,
                                                      final long low) {
        if (version != 6) {
            return out.append((low >>> 24) & 0xFF).append('.').append((low >>> 16) & 0xFF).append('.')
                .append((low >>> 8) & 0xFF).append('.').append(low & 0xFF);
        }
        final int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xFFFF;
            groups[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xFFFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLength) {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out;
    }

    /**
     * The parts of a flow key string, filled by {@link #parse}. A reusable holder (no allocation per parse).
     */
    public static final class ParsedKey {
        public int ipVersion;
        public int protocol;
        public long addressAHigh;
        public long addressALow;
        public int portA;
        public long addressZHigh;
        public long addressZLow;
        public int portZ;
    }

    /**
     * Parses a key in exactly the format {@link #appendKey} writes (hex digits of either case accepted).
     *
     * @return true when {@code key} is a well-formed flow key (then {@code out} holds its parts)
     */
    public static boolean parse(final CharSequence key, final ParsedKey out) {
        final int n = key.length();
        if (n < 4 || key.charAt(3) != ':') {
            return false;
        }
        final int protocol = hex(key, 0, 2);
        final char type = key.charAt(2);
        final int version = type == 'A' || type == 'a' ? 4 : type == 'B' || type == 'b' ? 6 : 0;
        if (protocol < 0 || version == 0) {
            return false;
        }
        // IPv4: 11 chars "C0.A8.01.02"; IPv6: 32 hex digits; then ":p-" + 4 hex digits
        final int addressLength = version == 4 ? 11 : 32;
        final int endLength = addressLength + 7;
        if (n != 4 + endLength + 1 + endLength || key.charAt(4 + endLength) != '_') {
            return false;
        }
        final int zStart = 4 + endLength + 1;
        if (!parseEnd(key, 4, version, out, true) || !parseEnd(key, zStart, version, out, false)) {
            return false;
        }
        out.ipVersion = version;
        out.protocol = protocol;
        return true;
    }

    private static boolean parseEnd(final CharSequence key, final int start, final int version, final ParsedKey out,
                                    final boolean aEnd) {
        long high = 0;
        long low = 0;
        int at = start;
        if (version == 4) {
            for (int i = 0; i < 4; i++) {
                final int b = hex(key, at, 2);
                if (b < 0 || (i < 3 && key.charAt(at + 2) != '.')) {
                    return false;
                }
                low = (low << 8) | b;
                at += 3;
            }
            at--;
        } else {
            for (int i = 0; i < 16; i++) {
                final int nibble = hex(key, at + i, 1);
                if (nibble < 0) {
                    return false;
                }
                high = (high << 4) | nibble;
            }
            for (int i = 16; i < 32; i++) {
                final int nibble = hex(key, at + i, 1);
                if (nibble < 0) {
                    return false;
                }
                low = (low << 4) | nibble;
            }
            at += 32;
        }
        if (key.charAt(at) != ':' || key.charAt(at + 1) != 'p' || key.charAt(at + 2) != '-') {
            return false;
        }
        final int port = hex(key, at + 3, 4);
        if (port < 0) {
            return false;
        }
        if (aEnd) {
            out.addressAHigh = high;
            out.addressALow = low;
            out.portA = port;
        } else {
            out.addressZHigh = high;
            out.addressZLow = low;
            out.portZ = port;
        }
        return true;
    }

    private static int hex(final CharSequence text, final int start, final int digits) {
        int value = 0;
        for (int i = start; i < start + digits; i++) {
            final char c = text.charAt(i);
            final int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0) {
                return -1;
            }
            value = (value << 4) | d;
        }
        return value;
    }

    static void hex2(final StringBuilder out, final int value) {
        out.append(HEX[(value >>> 4) & 0xF]).append(HEX[value & 0xF]);
    }

    static void hex4(final StringBuilder out, final int value) {
        out.append(HEX[(value >>> 12) & 0xF]).append(HEX[(value >>> 8) & 0xF])
            .append(HEX[(value >>> 4) & 0xF]).append(HEX[value & 0xF]);
    }
}
