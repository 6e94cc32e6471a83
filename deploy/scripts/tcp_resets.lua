-- TCP resets per host: every TCP segment with RST set (layer:testbit(109): byte 13, mask 0x04 of the
-- TCP header) counts for the host that sent it, in counter group "TCP resets" (meter 0).
local ex = require "lib.trawl_examples"

local GROUP = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F61}"
local RST_BIT = 109

TrisulPlugin = {
  id = { name = "TCP resets", description = "Counts TCP RST segments per sending host" },

  countergroup = {
    control = { guid = GROUP, name = "TCP resets", description = "RST segments by sender" },
    meters = { { 0, T.K.vartype.COUNTER, 10, "Resets", "RST segments sent", "pkts" } },
  },

  simplecounter = {
    protocol_guid = ex.GUID.tcp,
    onpacket = function(engine, layer)
      if layer:testbit(RST_BIT) then
        local source = ex.addresses(layer:packet())
        engine:update_counter(GROUP, source, 0, 1)
      end
    end,
  },
}
