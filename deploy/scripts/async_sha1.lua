-- T.async's seed example from Trisul's documentation, unmodified, inside a filex_monitor: every extracted
-- HTTP file is hashed on a T.async worker (sha1sum through io.popen) and the result printed back on the
-- pipeline. The staged file stays until the job that reads it is done (AutoDelete waits for it).
TrisulPlugin = {
  id = { name = "async sha1", description = "SHA-1 of every extracted HTTP file, computed with T.async" },

  filex_monitor = {
onfile_http  = function ( engine, timestamp, flowkey, path, req_header, resp_header, length )
  T.async:schedule({
    data = path,
    onexecute = function( indata)
      local h = io.popen("sha1sum "..path)
      local sha1  = h:read("*a")
      h:close()
      return sha1
    end,
    onresult = function(engine, req, response)
      print("The SHA1 sum of  "..path.." IS " .. response)
    end
  })
end,
  },
}
