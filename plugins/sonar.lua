-- Perplexity Sonar chat completions (shared/UPSTREAMS.md section 6): a
-- search-grounded sentiment. Citation markers like [1] and <think> blocks are
-- stripped around the JSON.
local sentiment = require("sentiment")

return {
  name = "sonar",
  weight = 0.15,
  base_url = "https://api.perplexity.ai",
  env = { "PERPLEXITY_API_KEY" },
  cache_ttl = 120,
  timeout = 25,
  rate_limit = { requests = 50, per = 60 },
  max_concurrency = 16,  -- the vendors limit requests per minute, not requests in flight

  request = function(symbol, ctx)
    local body = sentiment.chat_body("sonar", symbol)
    body.search_recency_filter = "week"
    return {
      method = "POST",
      path = "/chat/completions",
      headers = { Authorization = "Bearer " .. ctx.env.PERPLEXITY_API_KEY },
      body = body,
    }
  end,

  parse = function(response, symbol, ctx)
    local doc = response.json
    local content = sentiment.content(doc, "Sonar")
    local signal = sentiment.to_signal(sentiment.extract(content, "Sonar"), "Sonar")
    local sources = type(doc.citations) == "table" and #doc.citations or 0
    signal.reasoning = signal.reasoning .. string.format(" (%d sources)", sources)
    return signal
  end,
}
