/// Host-owned Lua, loaded into every plugin state: it wraps each call into a
/// plugin so that responses get a lazily decoded `json` field (its long arrays
/// lazy too: `LuaState+LazyJSON.swift`), request bodies
/// given as tables are encoded, and results keep a fixed shape.
enum HostLua {
    static let chunkName = "=argo-host"

    static let source = #"""
    local H = {}
    -- Long arrays are decoded when first touched; the host reads bars returned untouched straight from the body.
    local DECODE = { lazy = true }

    local function lazy(response)
      return setmetatable(response, { __index = function(t, key)
        if key ~= "json" then return nil end
        local ok, value = pcall(json.decode, rawget(t, "body"), DECODE)
        if not ok then
          error({ kind = "bad_response", message = "body is not JSON (HTTP " .. tostring(rawget(t, "status")) .. "): " .. tostring(value) }, 0)
        end
        rawset(t, "json", value)
        return value
      end })
    end

    local function normalize(request, what)
      if type(request) ~= "table" then error(what .. " must be a table, got " .. type(request), 0) end
      if type(request.path) ~= "string" then error(what .. ": 'path' must be a string", 0) end
      if type(request.body) == "table" then
        request.body = json.encode(request.body)
        request.headers = request.headers or {}
        if request.headers["Content-Type"] == nil then request.headers["Content-Type"] = "application/json" end
      end
      return request
    end

    function H.request(plugin, symbol, ctx)
      local result = plugin.request(symbol, ctx)
      if type(result) ~= "table" then error("request must return a table, got " .. type(result), 0) end
      if result.path ~= nil or result.method ~= nil then return normalize(result, "the request"), false end
      for name, request in pairs(result) do result[name] = normalize(request, "request '" .. tostring(name) .. "'") end
      return result, true
    end

    function H.parse(plugin, responses, named, symbol, ctx)
      if named then
        for _, response in pairs(responses) do lazy(response) end
      else
        lazy(responses)
      end
      local result = plugin.parse(responses, symbol, ctx)
      if type(result) ~= "table" then error("parse must return a table, got " .. type(result), 0) end
      if result.next ~= nil then result.next = normalize(result.next, "parse's 'next'") end
      return result
    end

    function H.signal(plugin, ind, symbol, ctx)
      return plugin.signal(ind, symbol, ctx)
    end

    function H.combine(consensus, signals, regime)
      return consensus.combine(signals, regime)
    end

    return H
    """#
}
