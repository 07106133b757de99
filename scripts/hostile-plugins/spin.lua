-- An endless loop that catches every error it can.
return {
  weight = 0.1, base_url = "https://query2.finance.yahoo.com",
  request = function(symbol, ctx)
    while true do pcall(function() while true do end end) end
  end,
  parse = function() return { direction = "LONG", confidence = 1 } end,
}
