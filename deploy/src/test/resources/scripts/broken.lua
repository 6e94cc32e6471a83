TrisulPlugin = {
  id = { name = "Broken", description = "syntax error on line 3" },
  simplecounter = { protocol_guid = "{77E462AB-2E42-42ec-9A58-C1A6821D6B31}" onpacket = nil },
}
