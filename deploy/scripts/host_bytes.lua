-- Bytes per host into Trisul's built-in Hosts counter group with update_counter_bytes (the wire length
-- of the current packet): meter 0 = bytes sent by the host, meter 1 = bytes received.
local ex = require "lib.trawl_examples"

TrisulPlugin = {
  id = { name = "Host bytes", description = "Bytes sent and received per host (Hosts group)" },

  simplecounter = {
    protocol_guid = ex.GUID.ipv4,
    onpacket = function(engine, layer)
      local b = layer:rawbytes()
      engine:update_counter_bytes(ex.GUID.hosts, T.util.ntop(b:hval_32(12)), 0)
      engine:update_counter_bytes(ex.GUID.hosts, T.util.ntop(b:hval_32(16)), 1)
    end,
  },
}
