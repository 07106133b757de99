-- Alpha Vantage technical indicators (shared/UPSTREAMS.md section 4): RSI and
-- MACD as two named requests fetched concurrently. Every failure is an HTTP 200
-- whose body says so: `Note`/`Information` (rate limit) and `Error Message`.
local function indicator(name, symbol, ctx, extra)
  local query = { ["function"] = name, symbol = symbol, interval = "daily", series_type = "close", apikey = ctx.env.ALPHAVANTAGE_API_KEY }
  for k, v in pairs(extra or {}) do query[k] = v end
  -- The newest 16 entries are all parse reads: the host drops the rest of the
  -- history as it arrives, so it is never held, cached or copied into Lua.
  return { method = "GET", path = "/query", query = query, max_items = 16 }
end

-- Alpha Vantage sends the whole history, newest first (UPSTREAMS.md section 4):
-- decode only the first entries of each object, which hold the newest one.
local function document(response, name)
  local ok, doc = pcall(json.decode, response.body, { max_items = 16 })
  if not ok then
    error({ kind = "bad_response", message = "Alpha Vantage " .. name .. ": body is not JSON (HTTP " .. tostring(response.status) .. "): " .. tostring(doc) }, 0)
  end
  if type(doc) ~= "table" then error({ kind = "bad_response", message = "Alpha Vantage " .. name .. ": body is not an object" }, 0) end
  return doc
end

-- The newest entry of a "Technical Analysis: X" series (keys are dates; newest is largest).
local function latest(response, name, symbol)
  local doc = document(response, name)
  if doc.Note ~= nil or doc.Information ~= nil then
    error({ kind = "rate_limited", message = "Alpha Vantage: " .. tostring(doc.Note or doc.Information), retry_after = 60 })
  end
  if doc["Error Message"] ~= nil then
    local text = tostring(doc["Error Message"])
    local kind = text:find("apikey", 1, true) and "auth" or "not_found"
    error({ kind = kind, message = "Alpha Vantage " .. name .. " for " .. symbol .. ": " .. text })
  end
  local series = doc["Technical Analysis: " .. name]
  if type(series) ~= "table" then error({ kind = "bad_response", message = "Alpha Vantage: no " .. name .. " series" }) end
  local newest = nil
  for date in pairs(series) do if newest == nil or date > newest then newest = date end end
  if newest == nil then error({ kind = "not_found", message = "Alpha Vantage: empty " .. name .. " series for " .. symbol }) end
  return series[newest], newest
end

return {
  name = "alpha_vantage",
  weight = 0.15,
  base_url = "https://www.alphavantage.co",
  env = { "ALPHAVANTAGE_API_KEY" },
  cache_ttl = 60,
  timeout = 8,
  rate_limit = { requests = 5, per = 60 },  -- the free key; premium keys allow 75+/min
  max_concurrency = 2,

  request = function(symbol, ctx)
    return {
      rsi = indicator("RSI", symbol, ctx, { time_period = 14 }),
      macd = indicator("MACD", symbol, ctx),
    }
  end,

  parse = function(responses, symbol, ctx)
    local rsi_entry, date = latest(responses.rsi, "RSI", symbol)
    local macd_entry = latest(responses.macd, "MACD", symbol)
    local rsi = tonumber(rsi_entry.RSI)
    local hist = tonumber(macd_entry.MACD_Hist)
    local macd = tonumber(macd_entry.MACD)
    if rsi == nil or hist == nil or macd == nil then
      error({ kind = "bad_response", message = "Alpha Vantage: RSI or MACD values are not numbers" })
    end
    local score = 0
    if hist > 0 then score = score + 0.5 elseif hist < 0 then score = score - 0.5 end
    if macd > 0 then score = score + 0.2 elseif macd < 0 then score = score - 0.2 end
    if rsi > 70 then score = score - 0.4 elseif rsi < 30 then score = score + 0.4
    elseif rsi > 55 then score = score + 0.2 elseif rsi < 45 then score = score - 0.2 end
    local direction = score >= 0.3 and "LONG" or (score <= -0.3 and "SHORT" or "NEUTRAL")
    return {
      direction = direction,
      confidence = math.min(1, math.abs(score)),
      reasoning = string.format("Alpha Vantage %s: RSI14 %.1f, MACD %.3f, histogram %+.3f", date, rsi, macd, hist),
    }
  end,

  -- Checked offline by `argo sources test alpha_vantage` (pretty-printed, newest first, values as strings).
  examples = {
    { symbol = "AAPL",
      responses = {
        rsi = { status = 200, body = [==[{
    "Meta Data": {"1: Symbol": "AAPL", "2: Indicator": "Relative Strength Index (RSI)", "3: Last Refreshed": "2026-11-21", "4: Interval": "daily", "5: Time Period": 14, "6: Series Type": "close", "7: Time Zone": "US/Eastern Time"},
    "Technical Analysis: RSI": {
        "2026-11-21": {"RSI": "58.1234"},
        "2026-11-20": {"RSI": "55.0021"}
    }
}]==] },
        macd = { status = 200, body = [==[{
    "Meta Data": {"1: Symbol": "AAPL", "2: Indicator": "Moving Average Convergence/Divergence (MACD)", "3: Last Refreshed": "2026-11-21"},
    "Technical Analysis: MACD": {
        "2026-11-21": {"MACD": "1.2345", "MACD_Hist": "0.2100", "MACD_Signal": "1.0245"},
        "2026-11-20": {"MACD": "1.1000", "MACD_Hist": "0.1000", "MACD_Signal": "1.0000"}
    }
}]==] },
      },
      expect = { direction = "LONG" } },
    { symbol = "AAPL",
      responses = {
        rsi = { status = 200, body = [==[{
    "Information": "We have detected your API key as DEMO and our standard API rate limit is 25 requests per day."
}]==] },
        macd = { status = 200, body = [==[{"Technical Analysis: MACD": {}}]==] },
      },
      expect = { error_kind = "rate_limited" } },
  },
}
