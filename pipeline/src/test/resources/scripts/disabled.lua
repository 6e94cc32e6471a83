TrisulPlugin = {
  id = { name = "Disabled", description = "onload returns false" },
  onload = function() return false end,
  onunload = function() print("must not be called") end,
  simplecounter = {
    protocol_guid = "{14D7AB53-CC51-47e9-8814-9C06AAE60189}",
    onpacket = function(engine, layer) print("must not be called") end,
  },
}
