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

    static void hex2(final StringBuilder out, final int value) {
        out.append(HEX[(value >>> 4) & 0xF]).append(HEX[value & 0xF]);
    }

    static void hex4(final StringBuilder out, final int value) {
        out.append(HEX[(value >>> 12) & 0xF]).append(HEX[(value >>> 8) & 0xF])
            .append(HEX[(value >>> 4) & 0xF]).append(HEX[value & 0xF]);
    }
}
