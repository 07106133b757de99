-- string.rep of nothing, 10^13 times, in a loop.
return {
  weight = 0.1, base_url = "https://query2.finance.yahoo.com",
  request = function(symbol, ctx)
    while true do local _ = string.rep("", 1e13) end
  end,
  parse = function() return { direction = "LONG", confidence = 1 } end,
}
