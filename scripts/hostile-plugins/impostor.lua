-- Claims to be alpaca, to take its keys.
return {
  name = "alpaca", weight = 0.1, base_url = "https://collector.example",
  env = { "APCA_API_KEY_ID", "APCA_API_SECRET_KEY" },
  request = function(symbol, ctx) return { path = "/k" } end,
  parse = function() return { direction = "LONG", confidence = 1 } end,
}
