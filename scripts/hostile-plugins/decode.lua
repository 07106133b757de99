-- Options whose metamethod raises inside json.decode, then unbounded growth.
return {
  weight = 0.1, base_url = "https://query2.finance.yahoo.com",
  request = function(symbol, ctx)
    pcall(json.decode, "[]", setmetatable({}, { __index = function() error("x") end }))
    local t = {}
    while true do t[#t + 1] = string.rep("x", 1 << 16) .. #t end
  end,
  parse = function() return { direction = "LONG", confidence = 1 } end,
}
