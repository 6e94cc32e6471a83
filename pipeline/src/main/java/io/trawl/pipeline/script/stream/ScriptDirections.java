package io.trawl.pipeline.script.stream;

import org.luaj.vm2.LuaValue;

/**
 * The direction numbers stream callbacks pass to scripts. Trisul's pages disagree, and trawl follows each
 * page literally per callback family:
 * <ul>
 *   <li>{@code reassembly_handler.onpayload}: 1 = client→server (the SYN sender), 0 = server→client (what
 *       real scripts rely on);</li>
 *   <li>{@code filex_monitor.onpayload_raw}, {@code filex_monitor.onpayload_http} and
 *       {@code packet_storage.filter_payload}: 0 = client→server, 1 = server→client (Trisul's
 *       file-extraction pages). HTTP bodies are responses, so {@code onpayload_http} always gets 1.</li>
 * </ul>
 * When the handshake was not seen, the client is the endpoint with the higher port.
 */
public final class ScriptDirections {
    /** {@code reassembly_handler.onpayload}: bytes the client sent. */
    public static final int REASSEMBLY_CLIENT_TO_SERVER = 1;
    /** {@code reassembly_handler.onpayload}: bytes the server sent. */
    public static final int REASSEMBLY_SERVER_TO_CLIENT = 0;
    /** {@code filex_monitor} payload callbacks and {@code packet_storage.filter_payload}: bytes the client sent. */
    public static final int FILEX_CLIENT_TO_SERVER = 0;
    /** {@code filex_monitor} payload callbacks and {@code packet_storage.filter_payload}: bytes the server sent. */
    public static final int FILEX_SERVER_TO_CLIENT = 1;

    private static final LuaValue REASSEMBLY_C2S = LuaValue.valueOf(REASSEMBLY_CLIENT_TO_SERVER);
    private static final LuaValue REASSEMBLY_S2C = LuaValue.valueOf(REASSEMBLY_SERVER_TO_CLIENT);
    private static final LuaValue FILEX_C2S = LuaValue.valueOf(FILEX_CLIENT_TO_SERVER);
    private static final LuaValue FILEX_S2C = LuaValue.valueOf(FILEX_SERVER_TO_CLIENT);

    private ScriptDirections() {
    }

    /** The direction {@code reassembly_handler.onpayload} gets. */
    public static LuaValue reassembly(final boolean fromClient) {
        return fromClient ? REASSEMBLY_C2S : REASSEMBLY_S2C;
    }

    /** The direction the {@code filex_monitor} payload callbacks and {@code filter_payload} get. */
    public static LuaValue filex(final boolean fromClient) {
        return fromClient ? FILEX_C2S : FILEX_S2C;
    }
}
