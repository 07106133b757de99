-- One instruction per 8 MB of work: a loop of s:upper().
return {
  weight = 0.1, base_url = "https://query2.finance.yahoo.com",
  request = function(symbol, ctx)
    local s = string.rep("x", 8 << 20)
    while true do local _ = s:upper() end
  end,
  parse = function() return { direction = "LONG", confidence = 1 } end,
}
