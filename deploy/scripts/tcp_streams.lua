-- reassembly_handler: what TCP connections carry, from their reassembled streams.
--   counters  group "TCP stream bytes": key = server port, meter 0 = client→server bytes, meter 1 =
--             server→client bytes (payload bytes, each counted once: retransmissions and overlaps are
--             resolved by the reassembly), meter 2 = connections
--             group "HTTP hosts": key = Host of each HTTP request (onattribute), meter 0 = requests
--   flows     connections whose server starts a TLS handshake get engine:disable_reassembly (nothing
--             readable follows): "reassembly_disabled" in flows.jsonl, tag "tls"
local STREAM_BYTES = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F67}"
local HTTP_HOSTS = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F68}"

local ports = {}   -- flow key -> server port

TrisulPlugin = {
  id = { name = "TCP streams", description = "Bytes per server port and HTTP hosts from reassembled TCP" },

  countergroup = {
    control = { guid = STREAM_BYTES, name = "TCP stream bytes", description = "Reassembled payload per server port" },
    meters = {
      { 0, T.K.vartype.COUNTER, 10, "Client bytes", "client to server", "B" },
      { 1, T.K.vartype.COUNTER, 10, "Server bytes", "server to client", "B" },
      { 2, T.K.vartype.COUNTER, 10, "Connections", "connections", "conns" },
    },
  },

  reassembly_handler = {
    -- every TCP connection is wanted (a filter returning false for all scripts skips reassembly)
    filter = function(engine, ts, flowkey)
      return true
    end,

    onnewflow = function(engine, ts, flowkey)
      local port = flowkey:portz_readable()   -- the Z end has the lower port: usually the server
      ports[flowkey:id()] = port
      engine:update_counter(STREAM_BYTES, port, 2, 1)
    end,

    -- direction 1 = client→server, 0 = server→client; seekpos = offset of buffer[0] in that stream
    onpayload = function(engine, ts, flowkey, direction, seekpos, buffer)
      local key = flowkey:id()
      engine:update_counter(STREAM_BYTES, ports[key], direction == 1 and 0 or 1, buffer:size())
      if direction == 0 and seekpos == 0 and buffer:size() >= 3 and buffer:hval_8(0) == 0x16
          and buffer:hval_16(1) >= 0x0300 and buffer:hval_16(1) <= 0x0304 then
        engine:tag_flow(key, "tls")
        engine:disable_reassembly(key)
      end
    end,

    onattribute = function(engine, ts, flowkey, name, value)
      if name == "Host" then
        engine:update_counter(HTTP_HOSTS, value, 0, 1)
      end
    end,

    onterminateflow = function(engine, ts, flowkey)
      ports[flowkey:id()] = nil
    end,
  },

}
