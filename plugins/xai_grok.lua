-- xAI Grok chat completions (shared/UPSTREAMS.md section 5): asks for a JSON
-- news/social sentiment and turns it into a signal. Errors come in xAI's own
-- `{code, error}` envelope; the fetch core classifies them by status.
local sentiment = require("sentiment")

return {
  name = "xai_grok",
  weight = 0.2,
  base_url = "https://api.x.ai",
  env = { "XAI_API_KEY" },
  cache_ttl = 90,
  timeout = 20,
  rate_limit = { requests = 60, per = 60 },
  max_concurrency = 16,  -- the vendors limit requests per minute, not requests in flight

  request = function(symbol, ctx)
    return {
      method = "POST",
      path = "/v1/chat/completions",
      headers = { Authorization = "Bearer " .. ctx.env.XAI_API_KEY },
      body = sentiment.chat_body("grok-4-1-fast-non-reasoning", symbol),
    }
  end,

  parse = function(response, symbol, ctx)
    local content = sentiment.content(response.json, "Grok")
    return sentiment.to_signal(sentiment.extract(content, "Grok"), "Grok")
  end,
}
