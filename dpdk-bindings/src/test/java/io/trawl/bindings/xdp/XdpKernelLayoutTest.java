package io.trawl.bindings.xdp;

import io.trawl.bindings.testsupport.CProbe;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every AF_XDP and bpf(2) layout and constant the bindings hard-code, against the installed kernel headers. */
class XdpKernelLayoutTest {
    @Test
    void layoutsAndConstantsMatchTheKernelHeaders() {
        final Map<String, Long> expected = new LinkedHashMap<>();
        final Map<String, String> probe = new LinkedHashMap<>();
        expect(expected, probe, "sizeof(struct xdp_umem_reg)", XdpSocket.UMEM_REG_SIZE);
        expect(expected, probe, "offsetof(struct xdp_umem_reg, chunk_size)", XdpSocket.UMEM_REG_CHUNK_SIZE);
        expect(expected, probe, "sizeof(struct sockaddr_xdp)", XdpSocket.SOCKADDR_XDP_SIZE);
        expect(expected, probe, "offsetof(struct sockaddr_xdp, sxdp_flags)", 2);
        expect(expected, probe, "offsetof(struct sockaddr_xdp, sxdp_ifindex)", 4);
        expect(expected, probe, "offsetof(struct sockaddr_xdp, sxdp_queue_id)", 8);
        expect(expected, probe, "sizeof(struct xdp_mmap_offsets)", XdpRingOffsets.MMAP_OFFSETS_SIZE);
        expect(expected, probe, "offsetof(struct xdp_mmap_offsets, rx)", XdpRingOffsets.RX);
        expect(expected, probe, "offsetof(struct xdp_mmap_offsets, tx)", XdpRingOffsets.TX);
        expect(expected, probe, "offsetof(struct xdp_mmap_offsets, fr)", XdpRingOffsets.FILL);
        expect(expected, probe, "offsetof(struct xdp_mmap_offsets, cr)", XdpRingOffsets.COMPLETION);
        expect(expected, probe, "offsetof(struct xdp_ring_offset, consumer)", 8);
        expect(expected, probe, "offsetof(struct xdp_ring_offset, desc)", 16);
        expect(expected, probe, "offsetof(struct xdp_ring_offset, flags)", 24);
        expect(expected, probe, "sizeof(struct xdp_desc)", XdpRxRing.DESCRIPTOR_SIZE);
        expect(expected, probe, "offsetof(struct xdp_desc, len)", 8);
        expect(expected, probe, "sizeof(struct xdp_statistics)", XdpStatistics.SIZE);
        expect(expected, probe, "offsetof(struct xdp_statistics, rx_dropped)", XdpStatistics.RX_DROPPED);
        expect(expected, probe, "offsetof(struct xdp_statistics, rx_invalid_descs)", XdpStatistics.RX_INVALID_DESCS);
        expect(expected, probe, "offsetof(struct xdp_statistics, rx_ring_full)", XdpStatistics.RX_RING_FULL);
        expect(expected, probe, "offsetof(struct xdp_statistics, rx_fill_ring_empty_descs)",
            XdpStatistics.RX_FILL_RING_EMPTY_DESCS);
        expect(expected, probe, "SOL_XDP", XdpSocket.SOL_XDP);
        expect(expected, probe, "XDP_MMAP_OFFSETS", XdpSocket.XDP_MMAP_OFFSETS);
        expect(expected, probe, "XDP_RX_RING", XdpSocket.XDP_RX_RING);
        expect(expected, probe, "XDP_UMEM_REG", XdpSocket.XDP_UMEM_REG);
        expect(expected, probe, "XDP_UMEM_FILL_RING", XdpSocket.XDP_UMEM_FILL_RING);
        expect(expected, probe, "XDP_UMEM_COMPLETION_RING", XdpSocket.XDP_UMEM_COMPLETION_RING);
        expect(expected, probe, "XDP_STATISTICS", XdpSocket.XDP_STATISTICS);
        expect(expected, probe, "XDP_COPY", XdpSocket.XDP_COPY);
        expect(expected, probe, "XDP_ZEROCOPY", XdpSocket.XDP_ZEROCOPY);
        expect(expected, probe, "XDP_USE_NEED_WAKEUP", XdpSocket.XDP_USE_NEED_WAKEUP);
        expect(expected, probe, "XDP_RING_NEED_WAKEUP", XdpFillRing.NEED_WAKEUP);
        expect(expected, probe, "XDP_PGOFF_RX_RING", XdpSocket.XDP_PGOFF_RX_RING);
        expect(expected, probe, "XDP_UMEM_PGOFF_FILL_RING", XdpSocket.XDP_UMEM_PGOFF_FILL_RING);
        expect(expected, probe, "XDP_UMEM_PGOFF_COMPLETION_RING", XdpSocket.XDP_UMEM_PGOFF_COMPLETION_RING);
        expect(expected, probe, "XDP_FLAGS_SKB_MODE", XdpRedirectProgram.AttachMode.SKB.flag());
        expect(expected, probe, "XDP_FLAGS_DRV_MODE", XdpRedirectProgram.AttachMode.DRV.flag());
        expect(expected, probe, "XDP_PASS", XdpRedirectProgram.XDP_PASS);
        expect(expected, probe, "offsetof(struct xdp_md, rx_queue_index)", XdpRedirectProgram.XDP_MD_RX_QUEUE_INDEX);
        expect(expected, probe, "BPF_MAP_CREATE", Bpf.BPF_MAP_CREATE);
        expect(expected, probe, "BPF_MAP_UPDATE_ELEM", Bpf.BPF_MAP_UPDATE_ELEM);
        expect(expected, probe, "BPF_MAP_DELETE_ELEM", Bpf.BPF_MAP_DELETE_ELEM);
        expect(expected, probe, "BPF_PROG_LOAD", Bpf.BPF_PROG_LOAD);
        expect(expected, probe, "BPF_LINK_CREATE", Bpf.BPF_LINK_CREATE);
        expect(expected, probe, "BPF_MAP_TYPE_XSKMAP", Bpf.BPF_MAP_TYPE_XSKMAP);
        expect(expected, probe, "BPF_PROG_TYPE_XDP", Bpf.BPF_PROG_TYPE_XDP);
        expect(expected, probe, "BPF_XDP", Bpf.BPF_XDP);
        expect(expected, probe, "BPF_FUNC_redirect_map", Bpf.BPF_FUNC_REDIRECT_MAP);
        expect(expected, probe, "BPF_OBJ_NAME_LEN", Bpf.OBJECT_NAME_LENGTH);
        expect(expected, probe, "offsetof(union bpf_attr, map_type)", Bpf.MAP_TYPE);
        expect(expected, probe, "offsetof(union bpf_attr, key_size)", Bpf.MAP_KEY_SIZE);
        expect(expected, probe, "offsetof(union bpf_attr, value_size)", Bpf.MAP_VALUE_SIZE);
        expect(expected, probe, "offsetof(union bpf_attr, max_entries)", Bpf.MAP_MAX_ENTRIES);
        expect(expected, probe, "offsetof(union bpf_attr, map_name)", Bpf.MAP_NAME);
        expect(expected, probe, "offsetof(union bpf_attr, map_fd)", Bpf.ELEM_MAP_FD);
        expect(expected, probe, "offsetof(union bpf_attr, key)", Bpf.ELEM_KEY);
        expect(expected, probe, "offsetof(union bpf_attr, value)", Bpf.ELEM_VALUE);
        expect(expected, probe, "offsetof(union bpf_attr, flags)", Bpf.ELEM_FLAGS);
        expect(expected, probe, "offsetof(union bpf_attr, prog_type)", Bpf.PROG_TYPE);
        expect(expected, probe, "offsetof(union bpf_attr, insn_cnt)", Bpf.PROG_INSN_CNT);
        expect(expected, probe, "offsetof(union bpf_attr, insns)", Bpf.PROG_INSNS);
        expect(expected, probe, "offsetof(union bpf_attr, license)", Bpf.PROG_LICENSE);
        expect(expected, probe, "offsetof(union bpf_attr, log_level)", Bpf.PROG_LOG_LEVEL);
        expect(expected, probe, "offsetof(union bpf_attr, log_size)", Bpf.PROG_LOG_SIZE);
        expect(expected, probe, "offsetof(union bpf_attr, log_buf)", Bpf.PROG_LOG_BUF);
        expect(expected, probe, "offsetof(union bpf_attr, prog_name)", Bpf.PROG_NAME);
        expect(expected, probe, "offsetof(union bpf_attr, link_create.prog_fd)", Bpf.LINK_PROG_FD);
        expect(expected, probe, "offsetof(union bpf_attr, link_create.target_ifindex)", Bpf.LINK_TARGET_IFINDEX);
        expect(expected, probe, "offsetof(union bpf_attr, link_create.attach_type)", Bpf.LINK_ATTACH_TYPE);
        expect(expected, probe, "offsetof(union bpf_attr, link_create.flags)", Bpf.LINK_FLAGS);
        final Map<String, Long> actual = CProbe.evaluate(List.of("sys/socket.h", "linux/if_xdp.h", "linux/bpf.h", "linux/if_link.h"), probe);
        assertThat(actual).isEqualTo(expected);
        assertThat(Bpf.PROG_NAME + Bpf.OBJECT_NAME_LENGTH).as("every field used lies inside the attr passed")
            .isLessThanOrEqualTo(Bpf.ATTR_SIZE);
    }

    private static void expect(final Map<String, Long> expected, final Map<String, String> probe, final String expression,
                               final long value) {
        expected.put(expression, value);
        probe.put(expression, expression);
    }
}
