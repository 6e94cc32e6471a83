TrisulPlugin = {
  id = { name = "Runtime error", description = "fails on every TCP packet" },
  simplecounter = {
    protocol_guid = "{77E462AB-2E42-42ec-9A58-C1A6821D6B31}",
    onpacket = function(engine, layer)
      local missing = nil
      return missing.field   -- line 7: attempt to index a nil value
    end,
  },
}
