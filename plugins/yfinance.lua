-- Yahoo Finance chart API v8, as yfinance uses it: daily bars for the window
-- the host needs, turned into a trend/momentum signal from the host's indicators.
-- No key. Wire format: shared/UPSTREAMS.md section 3.
local technical = require("technical")

local function is_null(v) return v == nil or v == json.null end

return {
  name = "yfinance",
  weight = 0.15,
  base_url = "https://query2.finance.yahoo.com",
  env = {},
  cache_ttl = 10,
  timeout = 5,
  rate_limit = { requests = 60, per = 60 },
  max_concurrency = 4,

  request = function(symbol, ctx)
    -- The window the bars need, as period1/period2 (Unix seconds; period2 is
    -- exclusive): 7 calendar days for every 5 sessions and 30 more for holidays
    -- and weekends, as alpaca.lua. (range=2y sent twice the sessions needed.)
    local now = (ctx and ctx.now) or os.time()
    local days = math.ceil(((ctx and ctx.bars_needed) or 260) * 7 / 5) + 30
    return {
      method = "GET",
      path = "/v8/finance/chart/" .. symbol,
      query = { period1 = now - days * 86400, period2 = now, interval = "1d", includePrePost = "false", events = "div,splits" },
      headers = { Accept = "application/json" },
    }
  end,

  parse = function(response, symbol, ctx)
    -- Only 2xx bodies reach parse; 429 and 404 are typed by the fetch core.
    local doc = response.json
    if type(doc) ~= "table" or type(doc.chart) ~= "table" then
      error({ kind = "bad_response", message = "Yahoo chart: body is not a chart document" })
    end
    local chart = doc.chart
    if not is_null(chart.error) then
      local kind = response.status == 404 and "not_found" or "bad_response"
      error({ kind = kind, message = "Yahoo chart: " .. tostring(chart.error.description or chart.error.code) })
    end
    local result = chart.result and chart.result[1]
    if is_null(result) then error({ kind = "bad_response", message = "Yahoo chart: no result" }) end
    local timestamps = result.timestamp
    if is_null(timestamps) then return { bars = {} } end  -- a window with no trading
    local quote = result.indicators.quote[1]
    -- Yahoo sends columns; the host reads them row by row and skips the rows
    -- whose open, high, low or close is null (a day without trading).
    return { columns = { t = timestamps, o = quote.open, h = quote.high, l = quote.low, c = quote.close, v = quote.volume } }
  end,

  signal = function(ind, symbol, ctx)
    return technical.trend_momentum(ind, "Yahoo")
  end,

  -- Checked offline by `argo sources test yfinance`: a null gap row is skipped.
  examples = {
    { symbol = "AAPL",
      response = { status = 200, body = [==[{"chart":{"result":[{"meta":{"symbol":"AAPL"},"timestamp":[1763649000,1763735400,1763994600],"indicators":{"quote":[{"open":[266.2,null,270.1],"high":[268.0,null,272.5],"low":[265.1,null,269.0],"close":[267.4,null,271.9],"volume":[50123400,null,null]}],"adjclose":[{"adjclose":[267.4,null,271.9]}]}}],"error":null}}]==] },
      expect = { bars = 2, last_close = 271.9, direction = "NEUTRAL" } },
    { symbol = "AAPL",
      response = { status = 200, body = [==[{"chart":{"result":null,"error":{"code":"Bad Request","description":"Invalid input - interval=1x is not supported"}}}]==] },
      expect = { error_kind = "bad_response" } },
  },
}
