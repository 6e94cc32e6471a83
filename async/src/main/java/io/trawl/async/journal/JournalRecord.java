package io.trawl.async.journal;

/** Record types and the format version of the journal. */
final class JournalRecord {
    /** First record of every queue: magic, format, writer kind. */
    static final byte HEADER = 0x10;
    static final byte SUBMIT = 0x11;
    static final byte INTENT = 0x12;
    static final byte EFFECT = 0x13;
    static final byte DELIVERED = 0x14;

    static final long MAGIC = 0x54524157_4C4A524EL; // "TRAWLJRN"
    /** Bump when the layout of any record changes; older journals are then refused (moved aside). */
    static final int FORMAT = 1;

    static final byte WRITER_PIPELINE = 1;
    static final byte WRITER_WORKER = 2;

    private JournalRecord() {
    }
}
