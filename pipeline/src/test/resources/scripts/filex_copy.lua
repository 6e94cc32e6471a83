-- Test script (file mode): copies every file onfile_http receives out of the staging directory, at once
-- and synchronously, and writes every body onpayload_http delivers (see lib/filex_test.lua).
local t = require "lib.filex_test"

TrisulPlugin = {
  id = { name = "filex copy", description = "copies staged files and bodies out for the tests" },

  filex_monitor = {
    onpayload_http = t.onpayload_http,
    onfile_http = t.onfile_http,
  },
}
