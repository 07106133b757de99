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
  timeout = 30,  -- a schema Perplexity has not seen yet can take 10–30 s to answer the first time
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

  -- Checked offline by `argo sources test sonar`: prose around the JSON, citation
  -- markers, a reasoning model's <think> block.
  examples = {
    { symbol = "TSLA",
      response = { status = 200, body = [==[{"id": "b0528f9a-2c5c-48dc-be13-b3f4137f3f40", "model": "sonar", "created": 1763989200, "usage": {"prompt_tokens": 98, "completion_tokens": 61, "total_tokens": 159, "search_context_size": "low"}, "citations": ["https://www.reuters.com/a", "https://finance.yahoo.com/b"], "search_results": [], "object": "chat.completion", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Here is my assessment of $TSLA:\n{\"symbol\": \"TSLA\", \"sentiment\": \"bearish\", \"score\": -0.55, \"confidence\": 0.7, \"summary\": \"Deliveries missed estimates.\"}\nSources: [1][2]"}, "delta": {"role": "assistant", "content": ""}}]}]==] },
      expect = { direction = "SHORT" } },
    { symbol = "TSLA",
      response = { status = 200, body = [==[{"id": "c1", "model": "sonar-reasoning", "citations": [], "search_results": [], "object": "chat.completion", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "<think>The user wants {a JSON}.</think>{\"sentiment\": \"neutral\", \"score\": 0.05, \"confidence\": 0.6, \"summary\": \"Mixed coverage.\"}"}, "delta": {"role": "assistant", "content": ""}}]}]==] },
      expect = { direction = "NEUTRAL" } },
  },
}
