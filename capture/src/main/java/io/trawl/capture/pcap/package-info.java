/**
 * Replay of capture files: classic pcap (both byte orders, microsecond and nanosecond timestamps) and
 * pcapng (SHB/IDB/EPB/SPB and the obsolete PB; unknown blocks skipped; per-interface link type and
 * timestamp resolution; sections of either byte order). Files are memory-mapped; packets are views into
 * the mapping, never copied.
 *
 * <p>Damaged input never produces a stack trace or a hang: a truncated final record, an empty record, a
 * capture length over the snap length are counted; a bad magic, a capture length over
 * {@value io.trawl.capture.pcap.CaptureFileReader#MAX_CAPTURE_LENGTH} bytes or a corrupt block length stop
 * the replay with an error naming the file and byte offset.
 */
package io.trawl.capture.pcap;
