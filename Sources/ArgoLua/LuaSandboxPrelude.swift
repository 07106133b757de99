/// The Lua chunk that prepares a state's sandbox. It runs once per state, with the
/// full (already trimmed) standard library, before any plugin code, and returns
/// `make_env`, which builds one fresh environment per plugin or module. Plugin
/// code only ever sees such an environment: never this chunk's globals.
///
/// Allow-list, per the plugin contract: the base functions below, `string`,
/// `table`, `math`, `utf8`, `json`, and `os.time/date/clock/difftime`. `load`
/// takes only text chunks; `require` only modules under `plugins/lib/`;
/// `setmetatable` refuses `__gc` (a finalizer would run during another plugin's
/// call); `collectgarbage` only counts, steps or collects.
///
/// It also returns the metamethods of lazy JSON arrays (`LuaState+LazyJSON.swift`):
/// the first touch decodes the array (a malformed one raises the state's
/// ``LazyJSONFailure``), and the sandbox's `next`, `rawget`, `rawset`, `rawlen`,
/// `getmetatable` and `setmetatable` decode a lazy array before they look at it.
let luaSandboxPrelude = #"""
local host, null, LAZY, FAILURE_KIND, FAILURE_MESSAGE = ...
local G = _G
local next, type, error, pcall, rawget, rawset, rawlen, load = next, type, error, pcall, rawget, rawset, rawlen, load
local raw_setmetatable, raw_getmetatable, raw_collectgarbage = setmetatable, getmetatable, collectgarbage
local materialize = host.json_materialize

local function force(t)
  local ok, err = pcall(materialize, t)
  if not ok then error({ kind = FAILURE_KIND, message = FAILURE_MESSAGE .. ": " .. tostring(err) }, 0) end
end

-- `t`, decoded first when it is a lazy array.
local function forced(t)
  if type(t) == "table" then
    local mt = raw_getmetatable(t)
    if type(mt) == "table" and rawget(mt, LAZY) ~= nil then force(t) end
  end
  return t
end

local lazy_methods = {
  __index = function(t, k) force(t) return rawget(t, k) end,
  __newindex = function(t, k, v) force(t) rawset(t, k, v) end,
  __len = function(t) force(t) return rawlen(t) end,
  __pairs = function(t) force(t) return next, t, nil end,
}

-- Not tail calls, so that an error names the function ("bad argument #1 to 'next'").
local function sandbox_next(t, k)
  local key, value = next(forced(t), k)
  return key, value
end
local function sandbox_rawget(t, k)
  local value = rawget(forced(t), k)
  return value
end
local function sandbox_rawset(t, k, v)
  local table = rawset(forced(t), k, v)
  return table
end
local function sandbox_rawlen(t)
  local length = rawlen(forced(t))
  return length
end
local function sandbox_getmetatable(t)
  local getmetatable = raw_getmetatable
  local mt = getmetatable(forced(t))
  return mt
end

-- Strings index the real `string` table through their metatable: strip it and lock it.
string.dump = nil
getmetatable("").__metatable = false

local function copy(t)
  local c = {}
  for k, v in next, t do c[k] = v end
  return c
end

local json = { decode = host.json_decode, encode = host.json_encode, null = null }
local libraries = {
  string = string, table = table, math = math, utf8 = utf8, json = json,
  os = { time = os.time, date = os.date, clock = os.clock, difftime = os.difftime },
}
local base = {
  "assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget",
  "rawlen", "rawset", "select", "tonumber", "tostring", "type", "xpcall", "_VERSION",
}

local function sandbox_setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("setmetatable: __gc is not allowed in the sandbox", 2)
  end
  local setmetatable = raw_setmetatable  -- so that an error names 'setmetatable'
  local result = setmetatable(forced(t), mt)
  return result
end

local function collectgarbage(option)
  if option == nil or option == "collect" or option == "count" or option == "step" then
    return raw_collectgarbage(option)
  end
  error("collectgarbage: option '" .. tostring(option) .. "' is not allowed in the sandbox", 2)
end

local LOADING = {}
local make_env

make_env = function()
  local env = {}
  for i = 1, #base do env[base[i]] = G[base[i]] end
  for name, library in next, libraries do env[name] = copy(library) end
  env.json.null = null
  env.setmetatable = sandbox_setmetatable
  env.next, env.rawget, env.rawset, env.rawlen = sandbox_next, sandbox_rawget, sandbox_rawset, sandbox_rawlen
  env.getmetatable = sandbox_getmetatable
  env.collectgarbage = collectgarbage
  env._G = env

  env.load = function(chunk, chunkname, mode, chunkenv)
    if type(chunk) ~= "string" then
      error("load: only text chunks (strings) can be loaded in the sandbox", 2)
    end
    if chunkenv == nil then chunkenv = env end
    return load(chunk, chunkname or "=(load)", "t", chunkenv)
  end

  local loaded = {}
  env.require = function(name)
    if type(name) ~= "string" then error("require: module name must be a string", 2) end
    local module = loaded[name]
    if module == LOADING then error("require: module '" .. name .. "' requires itself", 2) end
    if module ~= nil then return module end
    local source, chunkname = host.lib_source(name)
    if source == nil then error(chunkname, 2) end
    local fn, err = load(source, chunkname, "t", make_env())
    if fn == nil then error(err, 0) end
    loaded[name] = LOADING
    local ok, result = pcall(fn, name)
    if not ok then
      loaded[name] = nil
      error(result, 0)
    end
    if result == nil then result = true end
    loaded[name] = result
    return result
  end
  return env
end

return make_env, lazy_methods
"""#
