-- json.encode of a table shared 2^30 times.
return {
  weight = 0.1, base_url = "https://query2.finance.yahoo.com",
  request = function(symbol, ctx)
    local t = { "leaf" }
    for _ = 1, 30 do t = { t, t } end
    return { path = "/" .. json.encode(t) }
  end,
  parse = function() return { direction = "LONG", confidence = 1 } end,
}
