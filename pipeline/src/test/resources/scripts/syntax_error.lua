TrisulPlugin = {
  id = { name = "Syntax error", description = "does not compile" },
  simplecounter = {
    protocol_guid = "{14D7AB53-CC51-47e9-8814-9C06AAE60189}"
    onpacket = function(engine, layer) end,   -- line 5: missing comma above
  },
}
