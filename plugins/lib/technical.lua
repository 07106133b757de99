-- Shared by the sources that return bars: turns the host's indicators into a
-- signal. Trend (price against SMA50/SMA200, MACD histogram) and momentum
-- (RSI14, 20-day return) each vote; the vote's strength is the confidence.
local M = {}

local function vote(score, condition, weight)
  if condition == nil then return score end
  return score + (condition and weight or -weight)
end

--- ind: the host's indicators; label: the source's name for the reasoning.
function M.trend_momentum(ind, label)
  if ind.close == nil or ind.sma50 == nil then
    return { direction = "NEUTRAL", confidence = 0.0,
             reasoning = label .. ": not enough bars for indicators" }
  end
  local score, weight_sum = 0.0, 0.0
  local function add(condition, weight)
    if condition ~= nil then
      score = vote(score, condition, weight)
      weight_sum = weight_sum + weight
    end
  end
  add(ind.close > ind.sma50, 1.0)
  if ind.sma200 ~= nil then add(ind.sma50 > ind.sma200, 1.0) end
  if ind.macd_hist ~= nil then add(ind.macd_hist > 0, 0.75) end
  if ind.return_20d ~= nil then add(ind.return_20d > 0, 0.5) end
  local notes = {}
  if ind.rsi14 ~= nil then
    -- Overbought or oversold RSI leans against the trend.
    if ind.rsi14 > 70 then score = score - 0.5; weight_sum = weight_sum + 0.5; notes[#notes + 1] = "overbought"
    elseif ind.rsi14 < 30 then score = score + 0.5; weight_sum = weight_sum + 0.5; notes[#notes + 1] = "oversold" end
  end
  local strength = weight_sum > 0 and score / weight_sum or 0
  local direction = "NEUTRAL"
  if strength >= 0.25 then direction = "LONG" elseif strength <= -0.25 then direction = "SHORT" end
  local confidence = math.min(1.0, math.abs(strength))
  local reasoning = string.format("%s: close %.2f vs SMA50 %.2f%s, RSI14 %s, 20d return %s%s",
    label, ind.close, ind.sma50,
    ind.sma200 and string.format(" / SMA200 %.2f", ind.sma200) or "",
    ind.rsi14 and string.format("%.1f", ind.rsi14) or "n/a",
    ind.return_20d and string.format("%+.1f%%", ind.return_20d * 100) or "n/a",
    #notes > 0 and (" (" .. table.concat(notes, ", ") .. ")") or "")
  return { direction = direction, confidence = confidence, reasoning = reasoning }
end

return M
