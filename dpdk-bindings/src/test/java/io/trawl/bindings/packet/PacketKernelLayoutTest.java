package io.trawl.bindings.packet;

import io.trawl.bindings.testsupport.CProbe;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every AF_PACKET / TPACKET_V3 layout and constant the bindings hard-code, against the installed headers. */
class PacketKernelLayoutTest {
    @Test
    void layoutsAndConstantsMatchTheKernelHeaders() {
        final Map<String, Long> expected = new LinkedHashMap<>();
        final Map<String, String> probe = new LinkedHashMap<>();
        final Object[][] table = {
            {"SOL_PACKET", PacketRingSocket.SOL_PACKET},
            {"PACKET_RX_RING", PacketRingSocket.PACKET_RX_RING},
            {"PACKET_STATISTICS", PacketRingSocket.PACKET_STATISTICS},
            {"PACKET_VERSION", PacketRingSocket.PACKET_VERSION},
            {"PACKET_FANOUT", PacketRingSocket.PACKET_FANOUT},
            {"PACKET_IGNORE_OUTGOING", PacketRingSocket.PACKET_IGNORE_OUTGOING},
            {"TPACKET_V3", PacketRingSocket.TPACKET_V3},
            {"ETH_P_ALL", PacketRingSocket.ETH_P_ALL},
            {"PACKET_FANOUT_HASH", PacketRingSocket.PACKET_FANOUT_HASH},
            {"PACKET_FANOUT_FLAG_UNIQUEID", PacketRingSocket.PACKET_FANOUT_FLAG_UNIQUEID},
            {"sizeof(struct tpacket_req3)", PacketRingSocket.REQ3_SIZE},
            {"offsetof(struct tpacket_req3, tp_retire_blk_tov)", 16},
            {"sizeof(struct sockaddr_ll)", PacketRingSocket.SOCKADDR_LL_SIZE},
            {"offsetof(struct sockaddr_ll, sll_ifindex)", 4},
            {"sizeof(struct tpacket_stats_v3)", PacketRingSocket.STATS_V3_SIZE},
            {"offsetof(struct tpacket_block_desc, hdr.bh1.block_status)", PacketRingSocket.BLOCK_STATUS},
            {"offsetof(struct tpacket_block_desc, hdr.bh1.num_pkts)", PacketRingSocket.BLOCK_NUM_PACKETS},
            {"offsetof(struct tpacket_block_desc, hdr.bh1.offset_to_first_pkt)", PacketRingSocket.BLOCK_FIRST_PACKET},
            {"offsetof(struct tpacket3_hdr, tp_next_offset)", PacketRingSocket.TP_NEXT_OFFSET},
            {"offsetof(struct tpacket3_hdr, tp_sec)", PacketRingSocket.TP_SEC},
            {"offsetof(struct tpacket3_hdr, tp_nsec)", PacketRingSocket.TP_NSEC},
            {"offsetof(struct tpacket3_hdr, tp_snaplen)", PacketRingSocket.TP_SNAPLEN},
            {"offsetof(struct tpacket3_hdr, tp_len)", PacketRingSocket.TP_LEN},
            {"offsetof(struct tpacket3_hdr, tp_status)", PacketRingSocket.TP_STATUS},
            {"offsetof(struct tpacket3_hdr, tp_mac)", PacketRingSocket.TP_MAC},
            {"offsetof(struct tpacket3_hdr, hv1.tp_vlan_tci)", PacketRingSocket.TP_VLAN_TCI},
            {"offsetof(struct tpacket3_hdr, hv1.tp_vlan_tpid)", PacketRingSocket.TP_VLAN_TPID},
            {"TP_STATUS_USER", PacketRingSocket.TP_STATUS_USER},
            {"TP_STATUS_KERNEL", PacketRingSocket.TP_STATUS_KERNEL},
            {"TP_STATUS_VLAN_VALID", PacketRingSocket.TP_STATUS_VLAN_VALID},
            {"TP_STATUS_VLAN_TPID_VALID", PacketRingSocket.TP_STATUS_VLAN_TPID_VALID},
        };
        for (final Object[] row : table) {
            expected.put((String) row[0], ((Number) row[1]).longValue());
            probe.put((String) row[0], (String) row[0]);
        }
        final Map<String, Long> actual = CProbe.evaluate(List.of("sys/socket.h", "linux/if_packet.h", "linux/if_ether.h"), probe);
        assertThat(actual).isEqualTo(expected);
    }
}
