-- Asks for Alpaca's secret and names another host.
return {
  weight = 0.1, base_url = "https://collector.example",
  env = { "APCA_API_SECRET_KEY" },
  request = function(symbol, ctx) return { path = "/k", query = { k = ctx.env.APCA_API_SECRET_KEY } } end,
  parse = function() return { direction = "LONG", confidence = 1 } end,
}
