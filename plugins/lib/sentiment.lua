-- Shared by the language-model sources: find the JSON sentiment in an
-- assistant's content (bare, in a ```json fence, or with prose around it,
-- after any <think>…</think> block) and turn it into a signal.
local M = {}

-- Only plain finds over the answer: it is upstream data, and a backtracking
-- pattern over a crafted answer (a fence followed by thousands of spaces) can
-- take the whole time limit. The host stops such a call; these stay linear.

--- `text` without its <think>…</think> blocks (an unclosed one is kept).
local function without_thinking(text)
  local parts, from = {}, 1
  while true do
    local open = text:find("<think>", from, true)
    local close_from, close_to
    if open then close_from, close_to = text:find("</think>", open + 7, true) end
    if not close_from then break end
    parts[#parts + 1] = text:sub(from, open - 1)
    from = close_to + 1
  end
  parts[#parts + 1] = text:sub(from)
  return table.concat(parts)
end

--- What stands between the first ``` (or ```json) fence and the next one.
local function fenced(text)
  local _, open_to = text:find("```", 1, true)
  if not open_to then return nil end
  local from = open_to + 1
  if text:sub(from, from + 3) == "json" then from = from + 4 end
  local close = text:find("```", from, true)
  return close and text:sub(from, close - 1) or nil
end

--- From the first { to the last }.
local function braced(text)
  local first = text:find("{", 1, true)
  if not first then return nil end
  local last, at = nil, first
  while true do
    local found = text:find("}", at, true)
    if not found then break end
    last, at = found, found + 1
  end
  return last and text:sub(first, last) or nil
end

--- The decoded JSON object in `content`; raises bad_response when there is none.
function M.extract(content, label)
  if type(content) ~= "string" then
    error({ kind = "bad_response", message = label .. ": the answer has no text content" })
  end
  local text = without_thinking(content)
  local candidate = fenced(text) or braced(text)
  if candidate == nil then
    error({ kind = "bad_response", message = label .. ": no JSON object in the answer" })
  end
  local ok, value = pcall(json.decode, candidate)
  if not ok or type(value) ~= "table" then
    error({ kind = "bad_response", message = label .. ": the answer's JSON does not parse" })
  end
  return value
end

--- A signal from { sentiment, score in [-1, 1], confidence in [0, 1], summary }.
function M.to_signal(obj, label)
  local score = tonumber(obj.score)
  if score == nil then
    local words = { bullish = 0.6, positive = 0.6, bearish = -0.6, negative = -0.6, neutral = 0 }
    score = words[string.lower(tostring(obj.sentiment or "neutral"))] or 0
  end
  score = math.max(-1, math.min(1, score))
  local confidence = tonumber(obj.confidence) or 0.5
  confidence = math.max(0, math.min(1, confidence))
  local direction = "NEUTRAL"
  if score >= 0.15 then direction = "LONG" elseif score <= -0.15 then direction = "SHORT" end
  local strength = direction == "NEUTRAL" and confidence * (1 - math.abs(score)) or confidence * math.min(1, 0.5 + math.abs(score))
  local summary = tostring(obj.summary or obj.reasoning or "")
  if #summary > 200 then summary = summary:sub(1, 197) .. "..." end
  return {
    direction = direction,
    confidence = strength,
    reasoning = string.format("%s: %s sentiment (score %+.2f) %s", label, tostring(obj.sentiment or "n/a"), score, summary),
  }
end

--- The JSON Schema both vendors bind the answer to (`response_format`), so
--- that a real model answers with this object rather than prose; `extract`
--- still reads a fenced or wrapped answer, for a model that ignores it or an
--- answer cut short by max_tokens.
M.schema = {
  type = "json_schema",
  json_schema = {
    name = "sentiment",
    strict = true,
    schema = {
      type = "object",
      properties = {
        symbol = { type = "string" },
        sentiment = { type = "string", enum = { "bullish", "bearish", "neutral" } },
        score = { type = "number", minimum = -1, maximum = 1 },
        confidence = { type = "number", minimum = 0, maximum = 1 },
        summary = { type = "string" },
      },
      required = { "symbol", "sentiment", "score", "confidence", "summary" },
      additionalProperties = false,
    },
  },
}

--- The OpenAI-style request body asking for a sentiment on `symbol`.
function M.chat_body(model, symbol)
  return {
    model = model,
    temperature = 0,
    max_tokens = 300,
    response_format = M.schema,
    messages = {
      { role = "system", content = "You are a markets analyst. Answer with one JSON object only: "
        .. "{\"symbol\": string, \"sentiment\": \"bullish\"|\"bearish\"|\"neutral\", \"score\": number in [-1, 1], "
        .. "\"confidence\": number in [0, 1], \"summary\": one sentence}." },
      { role = "user", content = "What is the current news and social sentiment on $" .. symbol
        .. " over the last few days? Consider earnings, guidance, analyst actions and macro news." },
    },
  }
end

--- The assistant's content of a chat-completion response.
function M.content(doc, label)
  local choice = type(doc) == "table" and type(doc.choices) == "table" and doc.choices[1]
  local message = type(choice) == "table" and choice.message
  if type(message) ~= "table" then
    error({ kind = "bad_response", message = label .. ": no choices[1].message in the response" })
  end
  return message.content
end

return M
