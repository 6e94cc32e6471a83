package io.trawl.pipeline.script.objects;

import org.luaj.vm2.LuaString;

/** MurmurHash2 (32-bit, seed 0) over a Lua string's bytes, as {@code T.util.hash} computes it. */
final class Murmur2 {
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2() {
    }

    static int hash(final LuaString s) {
        final int length = s.m_length;
        int h = length;
        int i = 0;
        for (; i + 4 <= length; i += 4) {
            int k = s.luaByte(i) | s.luaByte(i + 1) << 8 | s.luaByte(i + 2) << 16 | s.luaByte(i + 3) << 24;
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        switch (length - i) {
            case 3:
                h ^= s.luaByte(i + 2) << 16;
                // fall through
            case 2:
                h ^= s.luaByte(i + 1) << 8;
                // fall through
            case 1:
                h ^= s.luaByte(i);
                h *= M;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }
}
