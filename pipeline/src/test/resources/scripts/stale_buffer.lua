local kept
TrisulPlugin = {
  id = { name = "Stale buffer", description = "keeps a Buffer and a Layer past their callback" },
  simplecounter = {
    protocol_guid = "{14D7AB53-CC51-47e9-8814-9C06AAE60189}",
    onpacket = function(engine, layer)
      if kept then
        local b = kept
        kept = nil
        local v = b:hval_8(0)   -- line 10: the previous packet's buffer
        return v
      end
      kept = layer:rawbytes()
    end,
  },
}
