package io.trawl.pipeline.script.objects;

/** {@code hexdump -C}-style text: offset, 16 hex bytes in two groups, printable ASCII. */
final class HexDump {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private HexDump() {
    }

    static String format(final byte[] bytes, final int startOffset) {
        final StringBuilder out = new StringBuilder(bytes.length * 4 + 80);
        for (int line = 0; line < bytes.length; line += 16) {
            final int offset = startOffset + line;
            for (int shift = 28; shift >= 0; shift -= 4) {
                out.append(HEX[(offset >>> shift) & 0xF]);
            }
            out.append("  ");
            for (int i = 0; i < 16; i++) {
                if (line + i < bytes.length) {
                    final int b = bytes[line + i] & 0xFF;
                    out.append(HEX[b >>> 4]).append(HEX[b & 0xF]).append(' ');
                } else {
                    out.append("   ");
                }
                if (i == 7) {
                    out.append(' ');
                }
            }
            out.append(" |");
            for (int i = 0; i < 16 && line + i < bytes.length; i++) {
                final int b = bytes[line + i] & 0xFF;
                out.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
            }
            out.append("|\n");
        }
        return out.toString();
    }
}
