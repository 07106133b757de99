#define LUA_LIB
#include "clua_guard.h"

#include <lauxlib.h>
#include <lualib.h>
#include <limits.h>
#include <string.h>

// Library functions that do work in C the count hook cannot see (a loop of
// `s:upper()` over an 8 MB string runs one instruction per 8 MB). Each is
// replaced by a closure that charges the budget for the work first (and so is
// stopped before it starts when the budget or time is gone), then runs the
// original. Output is charged by the allocator; these charge what they scan or
// loop over. The pattern functions are replaced outright (lua_patterns.c).

/// Bytes scanned per instruction-equivalent.
#define SCAN_BYTES_PER_STEP 32

typedef long long (*cost_fn)(lua_State *L);

static long long string_length(lua_State *L, int arg) {
    size_t length = 0;
    if (lua_type(L, arg) == LUA_TSTRING) lua_tolstring(L, arg, &length);
    return (long long)length;
}

static long long integer_or(lua_State *L, int arg, long long fallback) {
    int isnum = 0;
    lua_Integer value = lua_tointegerx(L, arg, &isnum);
    return isnum ? (long long)value : fallback;
}

/// The span [from, to] as a count, 0 when empty or not integers.
static long long span(long long from, long long to) {
    if (to < from) return 0;
    unsigned long long n = (unsigned long long)to - (unsigned long long)from + 1;
    return n > (unsigned long long)LLONG_MAX ? LLONG_MAX : (long long)n;
}

static long long scanned(lua_State *L) { return string_length(L, 1) / SCAN_BYTES_PER_STEP; }

static long long format_cost(lua_State *L) {
    long long total = 0;
    int top = lua_gettop(L);
    for (int i = 1; i <= top; i++) total += string_length(L, i);
    return total / SCAN_BYTES_PER_STEP;
}

/// `string.byte(s, i, j)` and `utf8.codepoint(s, i, j)`: one per value returned.
static long long slice_values(lua_State *L) {
    long long length = string_length(L, 1);
    long long from = integer_or(L, 2, 1);
    long long to = integer_or(L, 3, from);
    if (from < 0) from = length + from + 1;
    if (to < 0) to = length + to + 1;
    if (to > length) to = length;
    return span(from < 1 ? 1 : from, to);
}

/// `table.move(a1, f, e, t [,a2])`: one per slot moved.
static long long move_cost(lua_State *L) { return span(integer_or(L, 2, 1), integer_or(L, 3, 0)); }

/// `table.unpack(t, i, j)`: one per value (j defaults to #t, read raw here).
static long long unpack_cost(lua_State *L) {
    long long from = integer_or(L, 2, 1);
    long long to = lua_isnoneornil(L, 3) ? (long long)(lua_type(L, 1) == LUA_TTABLE ? lua_rawlen(L, 1) : 0) : integer_or(L, 3, 0);
    return span(from, to);
}

/// `table.concat(t, sep, i, j)`, `table.insert`, `table.remove`: one per slot
/// walked or shifted. `#t` is read as the original will read it (its `__len`
/// runs as Lua code, under the hook).
static long long length_of_table(lua_State *L) {
    if (lua_type(L, 1) != LUA_TTABLE) return 0;  // the original raises the argument error
    return (long long)luaL_len(L, 1);
}

static long long concat_cost(lua_State *L) {
    long long from = integer_or(L, 3, 1);
    long long to = lua_isnoneornil(L, 4) ? length_of_table(L) : integer_or(L, 4, 0);
    return span(from, to) + string_length(L, 2) * span(from, to) / SCAN_BYTES_PER_STEP;
}

/// `table.sort(t)`: n log2 n comparisons.
static long long sort_cost(lua_State *L) {
    long long n = length_of_table(L);
    long long log2n = 1;
    while ((1LL << log2n) < n && log2n < 62) log2n++;
    return n > (LLONG_MAX / 64) ? LLONG_MAX : n * log2n;
}

/// `load(chunk)`: compiling costs about an instruction per few bytes.
static long long load_cost(lua_State *L) { return string_length(L, 1) / 8; }

/// `collectgarbage()`, `("collect")`, `("step")`: a collection visits the whole heap.
static long long collect_cost(lua_State *L) {
    const char *option = lua_isnoneornil(L, 1) ? "collect" : lua_tostring(L, 1);
    if (option == NULL || strcmp(option, "count") == 0) return 0;
    return (long long)(clua_control_of(L)->used / SCAN_BYTES_PER_STEP);
}

/// `os.date(format)`: one strftime per format byte.
static long long date_cost(lua_State *L) { return string_length(L, 1); }

static int charged(lua_State *L) {
    cost_fn cost = (cost_fn)lua_touserdata(L, lua_upvalueindex(2));
    long long amount = cost(L);
    clua_charge(L, amount < 0 ? 0 : amount, 1);
    lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
    return original(L);
}

/// `string.rep(s, n, sep)`: an empty result returns at once (Lua's own loops
/// n times copying nothing); otherwise the result's length is charged first.
static int bounded_rep(lua_State *L) {
    size_t l = 0, lsep = 0;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (n <= 0 || (l == 0 && lsep == 0)) {
        lua_pushliteral(L, "");
        return 1;
    }
    if (l + lsep < l || l + lsep > (size_t)INT_MAX / (unsigned long long)n)
        return luaL_error(L, "resulting string too large");
    clua_control *c = clua_control_of(L);
    if (c->limit != 0 && (l + lsep) * (unsigned long long)n > c->limit) {
        c->over_limit = 1;  // reported as the memory limit, which it would hit
        return luaL_error(L, "not enough memory");
    }
    clua_charge(L, (long long)((l + lsep) * (unsigned long long)n / SCAN_BYTES_PER_STEP), 1);
    lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
    return original(L);
}

/// Replaces `library[name]` (library on top of the stack) with a charging closure.
static void wrap(lua_State *L, const char *name, cost_fn cost) {
    if (lua_getfield(L, -1, name) != LUA_TFUNCTION || lua_tocfunction(L, -1) == NULL) {
        lua_pop(L, 1);
        return;
    }
    lua_pushlightuserdata(L, (void *)cost);
    lua_pushcclosure(L, charged, 2);
    lua_setfield(L, -2, name);
}

static void replace(lua_State *L, const char *name, lua_CFunction function) {
    lua_pushcfunction(L, function);
    lua_setfield(L, -2, name);
}

/// The functions wrapped by `wrap`, by library (NULL: the base library).
static const struct {
    const char *library;
    const char *name;
    cost_fn cost;
} charged_functions[] = {
    {"string", "upper", scanned}, {"string", "lower", scanned}, {"string", "reverse", scanned},
    {"string", "format", format_cost}, {"string", "byte", slice_values},
    {"table", "move", move_cost}, {"table", "unpack", unpack_cost}, {"table", "concat", concat_cost},
    {"table", "insert", length_of_table}, {"table", "remove", length_of_table}, {"table", "sort", sort_cost},
    {"utf8", "len", scanned}, {"utf8", "offset", scanned}, {"utf8", "codepoint", slice_values},
    {"os", "date", date_cost},
    {NULL, "load", load_cost}, {NULL, "collectgarbage", collect_cost},
};

/// Pushes the library table `name` (the globals for NULL); 0 when there is no such table.
static int push_library(lua_State *L, const char *name) {
    if (name == NULL) {
        lua_pushglobaltable(L);
        return 1;
    }
    return lua_getglobal(L, name) == LUA_TTABLE;
}

void clua_install_bounded_library(lua_State *L) {
    for (size_t i = 0; i < sizeof charged_functions / sizeof charged_functions[0]; i++) {
        if (push_library(L, charged_functions[i].library)) wrap(L, charged_functions[i].name, charged_functions[i].cost);
        lua_pop(L, 1);
    }
    if (push_library(L, "string")) {
        lua_getfield(L, -1, "rep");
        lua_pushcclosure(L, bounded_rep, 1);
        lua_setfield(L, -2, "rep");
        replace(L, "find", clua_str_find);
        replace(L, "match", clua_str_match);
        replace(L, "gmatch", clua_str_gmatch);
        replace(L, "gsub", clua_str_gsub);
    }
    lua_pop(L, 1);
}
