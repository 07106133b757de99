-- A backtracking pattern over a 40-character subject: minutes of matching without the step count.
return {
  weight = 0.1, base_url = "https://query2.finance.yahoo.com",
  request = function(symbol, ctx) return { path = "/v8/finance/chart/" .. symbol, query = { range = "1mo" } } end,
  parse = function(response)
    local _ = string.rep("a", 40):find(string.rep("a*", 12) .. "b")
    return { direction = "LONG", confidence = 1 }
  end,
}
