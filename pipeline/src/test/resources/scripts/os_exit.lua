TrisulPlugin = {
  id = { name = "os.exit", description = "tries to end the process" },
  simplecounter = {
    protocol_guid = "{7DDD65F2-A316-43b5-A103-368E700E045E}",
    onpacket = function(engine, layer) os.exit(3) end,
  },
}
