-- Massive.com (formerly Polygon.io) aggregates: daily bars (shared/UPSTREAMS.md
-- section 2). Second in the market-data chain: asked only when Alpaca fails.
local technical = require("technical")

return {
  name = "massive",
  chain = "market_data",
  priority = 2,
  weight = 0.25,
  base_url = "https://api.massive.com",
  env = { "MASSIVE_API_KEY|POLYGON_API_KEY" },  -- either variable
  cache_ttl = 10,
  timeout = 5,
  rate_limit = { requests = 5, per = 60 },  -- the free plan; paid plans are unlimited
  max_concurrency = 4,

  request = function(symbol, ctx)
    local days = math.ceil((ctx.bars_needed or 260) * 7 / 5) + 15
    local from = os.date("!%Y-%m-%d", ctx.now - days * 86400)
    local to = os.date("!%Y-%m-%d", ctx.now)
    return {
      method = "GET",
      path = "/v2/aggs/ticker/" .. symbol .. "/range/1/day/" .. from .. "/" .. to,
      query = { adjusted = "true", sort = "asc", limit = 50000 },
      headers = { Authorization = "Bearer " .. ctx.env.MASSIVE_API_KEY, Accept = "application/json" },
    }
  end,

  parse = function(response, symbol, ctx)
    local doc = response.json
    if type(doc) ~= "table" then error({ kind = "bad_response", message = "Massive: body is not an object" }) end
    if doc.status == "ERROR" or doc.status == "NOT_AUTHORIZED" then
      error({ kind = doc.status == "NOT_AUTHORIZED" and "auth" or "bad_response",
              message = "Massive: " .. tostring(doc.error or doc.message or doc.status) })
    end
    -- No `results` key at all when the window is empty (or the ticker unknown).
    local results = doc.results
    if results == nil or results == json.null or #results == 0 then
      error({ kind = "not_found", message = "Massive has no bars for " .. symbol })
    end
    local bars = {}
    for i = 1, #results do
      local r = results[i]
      bars[i] = { t = r.t, o = r.o, h = r.h, l = r.l, c = r.c, v = r.v }  -- t in epoch ms, v a double
    end
    return { bars = bars }
  end,

  signal = function(ind, symbol, ctx) return technical.trend_momentum(ind, "Massive") end,
}
