-- Packets and bytes per IP protocol (simplecounter on IPv4): counter group "IP protocols",
-- key = the protocol number, meter 0 = packets, meter 1 = bytes (wire length).
local ex = require "lib.trawl_examples"

local GROUP = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F60}"

TrisulPlugin = {
  id = {
    name = "IP protocols",
    description = "Counts packets and bytes per IP protocol",
    author = "trawl examples", version_major = 1, version_minor = 0,
  },

  countergroup = {
    control = { guid = GROUP, name = "IP protocols", description = "Traffic by IP protocol", bucketsize = 60 },
    meters = {
      { 0, T.K.vartype.COUNTER, 10, "Packets", "packets", "pkts" },
      { 1, T.K.vartype.COUNTER, 10, 0, "Bytes", "wire bytes", "Bps" },
    },
  },

  simplecounter = {
    protocol_guid = ex.GUID.ipv4,
    onpacket = function(engine, layer)
      local protocol = layer:getbyte(9)
      local key = tostring(protocol)
      engine:update_counter(GROUP, key, 0, 1)
      engine:update_counter_bytes(GROUP, key, 1)
      if not seen[protocol] then
        seen[protocol] = true
        engine:update_key_info(GROUP, key, ex.PROTOCOL_NAMES[protocol] or ("ip-" .. key))
      end
    end,
  },
}

seen = {}
