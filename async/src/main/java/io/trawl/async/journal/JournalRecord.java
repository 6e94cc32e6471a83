package io.trawl.async.journal;

/** Record types and the format version of the journal. */
final class JournalRecord {
    /** First record of every queue: magic, format, writer kind. */
    static final byte HEADER = 0x10;
    static final byte SUBMIT = 0x11;
    static final byte INTENT = 0x12;
    static final byte EFFECT = 0x13;
    static final byte DELIVERED = 0x14;
    /** Format 2: the offsets a batch of appends is about to write at (count, then id/offset pairs). */
    static final byte INTENTS = 0x15;
    /** Format 2: one outcome for a batch of jobs (count, outcome, error, then ids). */
    static final byte EFFECTS = 0x16;
    /** Format 2: jobs delivered (count, then ids). */
    static final byte DELIVERED_MANY = 0x17;

    static final long MAGIC = 0x54524157_4C4A524EL; // "TRAWLJRN"
    /**
     * Bump when the layout of any record changes; journals in a format this trawl does not read are refused
     * (moved aside) with a message naming both formats.
     */
    static final int FORMAT = 2;
    /** The oldest format this trawl still reads (format 1 has no batch records). */
    static final int OLDEST_READABLE_FORMAT = 1;

    static final byte WRITER_PIPELINE = 1;
    static final byte WRITER_WORKER = 2;

    private JournalRecord() {
    }
}
