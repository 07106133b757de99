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

  -- Checked offline by `argo sources test xai_grok`: the JSON may come in a fenced block.
  examples = {
    { symbol = "NVDA",
      response = { status = 200, body = [==[{"id":"3f4ddfca-b997-3bd4-80d4-8112278a1508","object":"chat.completion","created":1763989200,"model":"grok-4-1-fast-non-reasoning","choices":[{"index":0,"message":{"role":"assistant","content":"```json\n{\"symbol\":\"NVDA\",\"sentiment\":\"bullish\",\"score\":0.62,\"confidence\":0.8,\"summary\":\"Data-center demand beat expectations.\"}\n```","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":40,"total_tokens":160},"system_fingerprint":"fp_44e53da025"}]==] },
      expect = { direction = "LONG" } },
    { symbol = "NVDA",
      response = { status = 200, body = [==[{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"I cannot help with that.","refusal":null},"finish_reason":"stop"}]}]==] },
      expect = { error_kind = "bad_response" } },
  },
}
