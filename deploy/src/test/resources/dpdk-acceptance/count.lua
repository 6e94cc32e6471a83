-- Counting script for the pcap-vs-DPDK acceptance test: packets and bytes per IPv4 source host and per
-- IP protocol, through a simplecounter on IPv4 feeding a counter group (OUT/counters.jsonl).
TrisulPlugin = {
  id = {
    name = "acceptance-count",
    description = "Packets and bytes per IPv4 source host and per IP protocol",
  },

  countergroup = {
    control = {
      guid = "{6B1D3C1E-2A4F-4E8B-9D0C-5E7A1B2C3D01}",
      name = "Acceptance hosts",
      description = "Packets and bytes per IPv4 source host and per IP protocol",
      bucketsize = 60,
    },
    meters = {
      { 0, T.K.vartype.COUNTER, 10, 0, "bytes", "Bytes from the host", "B" },
      { 1, T.K.vartype.COUNTER, 10, 0, "packets", "Packets from the host", "Pkts" },
      { 2, T.K.vartype.COUNTER, 10, 0, "protocol", "Packets of the IP protocol", "Pkts" },
    },
  },

  simplecounter = {
    protocol_guid = "{0A2C724B-5B9F-4ba6-9C97-B05080558574}", -- IPv4
    onpacket = function(engine, layer)
      local ip = layer:rawbytes()
      local source = string.format("%d.%d.%d.%d", ip:hval_8(12), ip:hval_8(13), ip:hval_8(14), ip:hval_8(15))
      engine:update_counter_bytes("{6B1D3C1E-2A4F-4E8B-9D0C-5E7A1B2C3D01}", source, 0)
      engine:update_counter("{6B1D3C1E-2A4F-4E8B-9D0C-5E7A1B2C3D01}", source, 1, 1)
      engine:update_counter("{6B1D3C1E-2A4F-4E8B-9D0C-5E7A1B2C3D01}", "proto-" .. ip:hval_8(9), 2, 1)
    end,
  },
}
