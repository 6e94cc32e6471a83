-- prints one line per new TCP connection
TrisulPlugin = {
  id = { name = "Printer", description = "prints one line per SYN" },
  simplecounter = {
    protocol_guid = "{77E462AB-2E42-42ec-9A58-C1A6821D6B31}",
    onpacket = function(engine, layer)
      if layer:getbyte(13) == 2 then
        print("syn", layer:flowkey():id(), "end-of-line")
      end
    end,
  },
}
