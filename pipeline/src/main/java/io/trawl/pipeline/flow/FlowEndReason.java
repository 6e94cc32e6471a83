package io.trawl.pipeline.flow;

/** Why a flow ended. */
public enum FlowEndReason {
    /** No packet for longer than the protocol's idle timeout (packet time). */
    IDLE("idle"),
    /** TCP FIN in both directions or RST, then the closed-flow timeout passed or a new SYN reused the ports. */
    TCP_CLOSED("tcp_closed"),
    /** A script asked ({@code engine:terminate_flow}). */
    TERMINATED("terminated"),
    /** The input ended (or the run was stopped) while the flow was active. */
    END_OF_INPUT("end_of_input");

    private final String key;

    FlowEndReason(final String key) {
        this.key = key;
    }

    /** Stable name for outputs. */
    public String key() {
        return key;
    }
}
