TrisulPlugin = {
  id = { name = "Infinite loop", description = "loops forever on every UDP packet; pcall cannot save it" },
  simplecounter = {
    protocol_guid = "{14D7AB53-CC51-47e9-8814-9C06AAE60189}",
    onpacket = function(engine, layer)
      pcall(function()
        local n = 0
        while true do n = n + 1 end   -- line 8
      end)
      engine:update_counter("{6A4B0F9E-2C1D-4E8B-9F3A-1B2C3D4E5F70}", "not reached", 0, 1)
    end,
  },
}
