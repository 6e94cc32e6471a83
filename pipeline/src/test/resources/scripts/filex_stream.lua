-- Test script (streaming mode: no onfile_http): writes every body onpayload_http delivers.
local t = require "lib.filex_test"

TrisulPlugin = {
  id = { name = "filex stream", description = "writes the bodies onpayload_http delivers, for the tests" },

  filex_monitor = {
    onpayload_http = t.onpayload_http,
  },
}
