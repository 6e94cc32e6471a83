/**
 * Flyweight packet decoding: {@link io.trawl.pipeline.decode.PacketDecoder} reads link, network and
 * transport headers in place (no copy, no allocation) and records what it found in a reused
 * {@link io.trawl.pipeline.decode.DecodedPacket}. Malformed headers are counted per cause
 * ({@link io.trawl.pipeline.decode.DecodeResult}), never thrown.
 */
package io.trawl.pipeline.decode;
