-- Alpaca Market Data v2: daily bars (shared/UPSTREAMS.md section 1).
-- First in the market-data chain. One request covers the bars regime
-- detection needs; `next_page_token` pages are followed.
local technical = require("technical")

local function bars_request(symbol, ctx, page_token)
  -- Calendar days that hold the trading days wanted: 7 for every 5, and 30 more
  -- for the weekdays NYSE is closed (up to 12 in a window over New Year) and a
  -- window starting on a weekend. (+15 held 259 of 260 on some days.)
  local days = math.ceil((ctx.bars_needed or 260) * 7 / 5) + 30
  return {
    method = "GET",
    path = "/v2/stocks/" .. symbol .. "/bars",
    query = {
      timeframe = "1Day",
      start = os.date("!%Y-%m-%d", ctx.now - days * 86400),
      -- Only when the bar store fills in an older range: through ctx.now, not the latest.
      ["end"] = ctx.through and os.date("!%Y-%m-%d", ctx.through) or nil,
      limit = 10000,
      adjustment = "raw",
      feed = "iex",
      page_token = page_token,
    },
    headers = {
      ["APCA-API-KEY-ID"] = ctx.env.APCA_API_KEY_ID,
      ["APCA-API-SECRET-KEY"] = ctx.env.APCA_API_SECRET_KEY,
      Accept = "application/json",
    },
  }
end

return {
  name = "alpaca",
  chain = "market_data",
  priority = 1,
  weight = 0.25,
  base_url = "https://data.alpaca.markets",
  env = { "APCA_API_KEY_ID", "APCA_API_SECRET_KEY" },
  cache_ttl = 10,
  timeout = 5,
  rate_limit = { requests = 200, per = 60 },  -- the free plan; raise it in Config/argo.yaml
  max_concurrency = 8,

  request = function(symbol, ctx) return bars_request(symbol, ctx, nil) end,

  parse = function(response, symbol, ctx)
    local doc = response.json
    if type(doc) ~= "table" then error({ kind = "bad_response", message = "Alpaca: body is not an object" }) end
    local list = doc.bars
    -- An unknown symbol answers 200 with "bars": null.
    if list == nil or list == json.null then error({ kind = "not_found", message = "Alpaca has no bars for " .. symbol }) end
    -- Alpaca's bar records already carry t, o, h, l, c, v; the host reads those by name.
    local bars = list
    local token = doc.next_page_token
    local next_request = nil
    if token ~= nil and token ~= json.null and token ~= "" then next_request = bars_request(symbol, ctx, token) end
    return { bars = bars, next = next_request }
  end,

  signal = function(ind, symbol, ctx) return technical.trend_momentum(ind, "Alpaca") end,

  -- Checked offline by `argo sources test alpaca` (bodies as Alpaca sends them).
  examples = {
    { symbol = "AAPL",
      response = { status = 200, body = [==[{"bars":[{"c":267.44,"h":268.0,"l":265.1,"n":612345,"o":266.2,"t":"2026-11-20T05:00:00Z","v":50123400,"vw":267.1},{"c":271.9,"h":272.5,"l":269.0,"n":598765,"o":270.1,"t":"2026-11-21T05:00:00Z","v":48765432,"vw":271.2}],"symbol":"AAPL","next_page_token":null}]==] },
      expect = { bars = 2, last_close = 271.9, direction = "NEUTRAL" } },
    { symbol = "XYZ",
      response = { status = 200, body = [==[{"bars":null,"symbol":"XYZ","next_page_token":null}]==] },
      expect = { error_kind = "not_found" } },
  },
}
