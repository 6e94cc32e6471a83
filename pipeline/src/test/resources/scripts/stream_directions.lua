-- Test script: the direction numbers of each callback family. Lists in OUT/directions-<pipeline>.tsv:
--   <callback> <direction> <seekpos> <first 32 bytes of the buffer>
local out = T.env.get_config("App>DataDirectory")

local function note(engine, callback, direction, seekpos, buffer)
  local f = assert(io.open(out .. "/directions-" .. engine:instanceid() .. ".tsv", "a"))
  f:write(callback, "\t", tostring(direction), "\t", tostring(seekpos), "\t",
    (buffer:tostring(0, 32):gsub("[\t\r\n]", "_")), "\n")
  f:close()
end

TrisulPlugin = {
  id = { name = "stream directions", description = "records direction numbers for the tests" },

  reassembly_handler = {
    onpayload = function(engine, ts, flowkey, direction, seekpos, buffer)
      note(engine, "onpayload", direction, seekpos, buffer)
    end,
  },

  filex_monitor = {
    onpayload_raw = function(engine, ts, flowkey, direction, seekpos, buffer)
      note(engine, "onpayload_raw", direction, seekpos, buffer)
    end,
    onpayload_http = function(engine, ts, flowkey, path, req, resp, direction, seekpos, buffer)
      note(engine, "onpayload_http", direction, seekpos, buffer)
    end,
  },

  packet_storage = {
    filter_payload = function(engine, ts, flowkey, direction, seekpos, buffer)
      note(engine, "filter_payload", direction, seekpos, buffer)
      if buffer:tostring(0, 4) == "GET " then return 1 end   -- store HTTP flows whole
      return -1
    end,
  },
}
