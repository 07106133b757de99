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
    -- 7 calendar days for every 5 trading days, and 30 more for holidays and weekends (as alpaca.lua).
    local days = math.ceil((ctx.bars_needed or 260) * 7 / 5) + 30
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
    -- Massive's aggregates carry t (epoch ms), o, h, l, c, v (a double); the host reads those by name.
    return { bars = results }
  end,

  signal = function(ind, symbol, ctx) return technical.trend_momentum(ind, "Massive") end,

  -- Checked offline by `argo sources test massive`.
  examples = {
    { symbol = "AAPL",
      response = { status = 200, body = [==[{"ticker":"AAPL","queryCount":2,"resultsCount":2,"adjusted":true,"results":[{"v":5.01234E+07,"vw":267.1,"o":266.2,"c":267.44,"h":268,"l":265.1,"t":1763614800000,"n":612345},{"v":4.8765432E+07,"vw":271.2,"o":270.1,"c":271.9,"h":272.5,"l":269,"t":1763701200000,"n":598765}],"status":"OK","request_id":"6a7e466379af0a71039d60cc78e72282","count":2}]==] },
      expect = { bars = 2, last_close = 271.9, direction = "NEUTRAL" } },
    { symbol = "XYZ",
      response = { status = 200, body = [==[{"ticker":"XYZ","queryCount":0,"resultsCount":0,"adjusted":true,"status":"OK","request_id":"b1c2","count":0}]==] },
      expect = { error_kind = "not_found" } },
  },
}
