package io.trawl.capture;

/** Receives packets from {@link ReceiveQueue#poll(PacketHandler, int)}, on the polling thread. */
@FunctionalInterface
public interface PacketHandler {
    /**
     * One packet. The view and its bytes are valid only until this method returns (unless the queue's
     * {@link ReceiveQueue#packetMemoryOutlivesPoll()} is true). Must not block.
     */
    void onPacket(PacketView packet);
}
