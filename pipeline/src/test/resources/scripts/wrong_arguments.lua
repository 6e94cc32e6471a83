local G = "{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F71}"
local calls = 0
TrisulPlugin = {
  id = { name = "Wrong arguments", description = "calls engine methods with wrong argument types" },
  simplecounter = {
    protocol_guid = "{14D7AB53-CC51-47e9-8814-9C06AAE60189}",
    onpacket = function(engine, layer)
      calls = calls + 1
      local k = calls % 6
      if k == 0 then engine:update_counter(G, "key", "not a meter", 1)          -- line 10
      elseif k == 1 then engine:update_counter(nil, "key", 0, 1)               -- line 11
      elseif k == 2 then engine:add_alert(G, 42, "sig", 1, "flow key is a number") -- line 12
      elseif k == 3 then engine.update_counter(G, "key", 0, 1)                 -- line 13: '.' instead of ':'
      elseif k == 4 then layer:testbit("x")                                    -- line 14
      else engine:update_counter(G, "ok", 0, 1) end                            -- the good call
    end,
  },
}
