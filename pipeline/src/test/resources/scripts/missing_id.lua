-- no id.description

TrisulPlugin = {
  id = { name = "No description" },
  onload = function() end,
}
