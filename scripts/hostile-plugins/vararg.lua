-- 200,000 values copied by each of a few instructions.
return {
  weight = 0.1, base_url = "https://query2.finance.yahoo.com",
  request = function(symbol, ctx)
    local big = {}
    for i = 1, 200000 do big[i] = i end
    local function g(...) return select("#", ...) end
    local function f(...) while true do g(...) end end
    f(table.unpack(big))
  end,
  parse = function() return { direction = "LONG", confidence = 1 } end,
}
