-- File-extraction script for the pcap-vs-DPDK acceptance test: every HTTP body the engine extracts is
-- recorded as a resource (OUT/resources.jsonl) with its URI, length and a hash of its content.
TrisulPlugin = {
  id = {
    name = "acceptance-extract",
    description = "Records every extracted HTTP file: URI, length and content hash",
  },

  filex_monitor = {
    onfile_http = function(engine, ts, flowkey, path, req_header, resp_header, length, is_partial)
      local file = io.open(path, "rb")
      local content = ""
      if file then
        content = file:read("*a") or ""
        file:close()
      end
      local uri = req_header and req_header:get_path() or "?"
      engine:add_resource("{4EF9DEB9-4332-4867-A667-6A30C5900E9E}", flowkey:id(), uri,
        string.format("%d bytes, %s, hash %s", length, is_partial and "partial" or "whole", T.util.hash(content, 32)))
    end,
  },
}
