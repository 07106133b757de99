-- lua-cjson on the body `make bench-lua` decodes, for docs/performance.md:
--   ARGO_BENCH_SAVE_BODY=/tmp/alpaca.json make bench-lua
--   lua5.4 scripts/cjson-bench.lua /tmp/alpaca.json
-- Needs Debian's lua5.4 and lua-cjson. Prints µs per call, median of 5 rounds,
-- as ArgoLuaBench does (this state has no memory accounting or instruction
-- budget, which Argo's states have).
local cjson = require("cjson")
local file = assert(io.open(arg[1], "rb"))
local body = file:read("a")
file:close()
local iterations = tonumber(os.getenv("ARGO_BENCH_ITERATIONS") or "") or 500

local function walk(doc)
  local out = {}
  local bars = doc.bars
  for i = 1, #bars do
    local b = bars[i]
    out[i] = { t = b.t, o = b.o, h = b.h, l = b.l, c = b.c, v = b.v }
  end
  return out
end

local function measure(body_fn)
  for _ = 1, iterations // 10 do body_fn() end
  local samples = {}
  for round = 1, 5 do
    local started = os.clock()
    for _ = 1, iterations do body_fn() end
    samples[round] = (os.clock() - started) * 1e6 / iterations
  end
  table.sort(samples)
  return samples[3]
end

assert(#walk(cjson.decode(body)) == 200, "expected 200 bars")
print(string.format("lua-cjson %s, %d-byte body", cjson._VERSION or "?", #body))
print(string.format("| cjson.decode (decode only) | %8.1f |", measure(function() return cjson.decode(body) end)))
print(string.format("| cjson.decode + walk into bars | %8.1f |", measure(function() return walk(cjson.decode(body)) end)))
