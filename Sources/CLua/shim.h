#ifndef CLUA_SHIM_H
#define CLUA_SHIM_H

// The C side of Argo's Lua layer. Two kinds of code live here, nothing else:
//  1. one-line wrappers for the macros Swift cannot import (`clua_pop` for `lua_pop`, ...);
//  2. the four functions that Lua itself calls and that may raise a Lua error
//     (allocator, count hook, message handler, host-function trampoline). A Lua
//     error is a longjmp; it must only ever unwind C frames, never Swift ones, so
//     these cannot be written in Swift.
// All policy (what is allowed, what a limit is, how errors are reported) is in ArgoLua.

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

// MARK: - Macro wrappers (Swift does not import function-like macros)

static inline int clua_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int clua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int clua_pcall(lua_State *L, int nargs, int nresults, int msgh) { return lua_pcall(L, nargs, nresults, msgh); }
static inline void clua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void clua_newtable(lua_State *L) { lua_newtable(L); }
static inline void clua_insert(lua_State *L, int idx) { lua_insert(L, idx); }
static inline void clua_remove(lua_State *L, int idx) { lua_remove(L, idx); }
static inline const char *clua_tolstring(lua_State *L, int idx, size_t *len) { return lua_tolstring(L, idx, len); }
static inline int clua_loadbuffer(lua_State *L, const char *buf, size_t size, const char *name) {
    return luaL_loadbufferx(L, buf, size, name, "t");  // text only: bytecode can break the VM
}
static inline int clua_mask_count(void) { return LUA_MASKCOUNT; }
static inline int clua_gc_collect(lua_State *L) { return lua_gc(L, LUA_GCCOLLECT); }       // lua_gc is variadic
static inline int clua_gc_count_kb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT); }
static inline int clua_gc_generational(lua_State *L) { return lua_gc(L, LUA_GCGEN, 0, 0); }  // default multipliers
static inline void *clua_newuserdata(lua_State *L, size_t size) { return lua_newuserdatauv(L, size, 0); }

// MARK: - Per-state control block

/// Shared between the allocator, the hook and Swift. One per lua_State, owned by
/// the Swift `LuaState`, reached from C through the allocator's user data.
typedef struct clua_control {
    size_t used;             ///< bytes currently allocated by this state
    size_t peak;             ///< highest `used` seen
    size_t limit;            ///< memory cap while Lua code runs; 0 = none
    int strict;              ///< 1 while Lua code runs: allocations past `limit` fail
    int over_limit;          ///< set when the cap was hit (refused, or passed in soft mode)
    long budget_steps;       ///< hook steps left in the current call
    int hook_step;           ///< instructions per hook step
    int budget_exceeded;     ///< set when the budget ran out
    /// Swift's dispatcher for host functions: returns the number of results, or -1
    /// with an error message on top of the stack for the trampoline to raise.
    int (*dispatch)(lua_State *L, int function_id);
    void *owner;             ///< the Swift LuaState (unretained)
    /// Small blocks (see "Small-block pool" below): a free list per 16-byte size
    /// class, the chunks they are carved from, and what is left of the newest chunk.
    void *free_lists[32];
    void *chunks;
    char *bump;
    size_t bump_left;
    size_t pool_bytes;       ///< bytes of chunks the pool holds (used or free)
} clua_control;

static inline clua_control *clua_control_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (clua_control *)ud;
}

// MARK: - Small-block pool

/// Most of what Lua allocates is small and short-lived (the tables, strings and
/// hash parts of a decoded JSON body), and Lua passes a block's size back when it
/// frees it. So blocks up to CLUA_POOL_MAX bytes come from per-state free lists,
/// one per 16-byte size class, carved from 64 KiB chunks: no lock, no header, no
/// coalescing. A state is used by one thread at a time, so nothing is shared.
/// Freed blocks stay with the state (bounded by its memory limit) until it closes.
#define CLUA_POOL_GRAIN 16
#define CLUA_POOL_MAX 512
#define CLUA_POOL_CHUNK (64 * 1024)

static inline size_t clua_pool_class(size_t size) { return (size - 1) / CLUA_POOL_GRAIN; }

static inline void *clua_pool_take(clua_control *c, size_t size) {
    size_t index = clua_pool_class(size);
    void *block = c->free_lists[index];
    if (block != NULL) {
        c->free_lists[index] = *(void **)block;
        return block;
    }
    size_t rounded = (index + 1) * CLUA_POOL_GRAIN;
    if (c->bump_left < rounded) {
        char *chunk = (char *)malloc(CLUA_POOL_CHUNK);
        if (chunk == NULL) return NULL;
        *(void **)chunk = c->chunks;  // the first 16 bytes link the chunks
        c->chunks = chunk;
        c->pool_bytes += CLUA_POOL_CHUNK;
        c->bump = chunk + CLUA_POOL_GRAIN;
        c->bump_left = CLUA_POOL_CHUNK - CLUA_POOL_GRAIN;
    }
    block = c->bump;
    c->bump += rounded;
    c->bump_left -= rounded;
    return block;
}

static inline void clua_pool_give(clua_control *c, void *block, size_t size) {
    size_t index = clua_pool_class(size);
    *(void **)block = c->free_lists[index];
    c->free_lists[index] = block;
}

/// Frees every chunk; call once, after lua_close.
static inline void clua_pool_release(clua_control *c) {
    void *chunk = c->chunks;
    while (chunk != NULL) {
        void *next = *(void **)chunk;
        free(chunk);
        chunk = next;
    }
    c->chunks = NULL;
    c->bump = NULL;
    c->bump_left = 0;
    c->pool_bytes = 0;
    for (int i = 0; i < 32; i++) c->free_lists[i] = NULL;
}

// MARK: - Allocator

/// lua_Alloc that counts bytes and enforces the cap. Failing (returning NULL) lets
/// Lua run an emergency GC and retry before it raises a memory error. Outside
/// strict mode (Swift is pushing values) it never fails for the cap: it records
/// the overrun and the trampoline or the Swift caller raises it afterwards.
/// Small blocks come from the state's pool, larger ones from malloc.
static inline void *clua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clua_control *c = (clua_control *)ud;
    if (ptr == NULL) osize = 0;  // osize then encodes the object type, not a size
    if (nsize == 0) {
        if (ptr != NULL) {
            if (osize <= CLUA_POOL_MAX) clua_pool_give(c, ptr, osize); else free(ptr);
        }
        c->used -= osize;
        return NULL;
    }
    if (nsize > osize && c->limit != 0 && c->used - osize + nsize > c->limit) {
        c->over_limit = 1;
        if (c->strict) return NULL;
    }
    void *p;
    if (ptr != NULL && osize > CLUA_POOL_MAX && nsize > CLUA_POOL_MAX) {
        p = realloc(ptr, nsize);
    } else if (ptr != NULL && nsize <= CLUA_POOL_MAX && clua_pool_class(osize) == clua_pool_class(nsize)) {
        p = ptr;  // the same size class: the block already fits
    } else {
        p = nsize <= CLUA_POOL_MAX ? clua_pool_take(c, nsize) : malloc(nsize);
        if (p != NULL && ptr != NULL) {
            memcpy(p, ptr, osize < nsize ? osize : nsize);
            if (osize <= CLUA_POOL_MAX) clua_pool_give(c, ptr, osize); else free(ptr);
        }
    }
    if (p == NULL) return NULL;
    c->used = c->used - osize + nsize;
    if (c->used > c->peak) c->peak = c->used;
    return p;
}

// MARK: - Instruction budget

/// Count hook: every `hook_step` instructions, spend one step. When the budget is
/// gone it fires on every instruction, so a script that catches the error with
/// pcall is stopped again at its very next instruction.
static inline void clua_count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    clua_control *c = clua_control_of(L);
    if (--c->budget_steps > 0) return;
    if (!c->budget_exceeded) {
        c->budget_exceeded = 1;
        lua_sethook(L, clua_count_hook, LUA_MASKCOUNT, 1);
    }
    luaL_where(L, 0);  // level 0 is the Lua function that was running
    lua_pushliteral(L, "instruction budget exceeded");
    lua_concat(L, 2);
    lua_error(L);
}

/// Arms the budget for one call of Lua code.
static inline void clua_arm_budget(lua_State *L, long steps, int hook_step) {
    clua_control *c = clua_control_of(L);
    c->budget_steps = steps;
    c->hook_step = hook_step;
    c->budget_exceeded = 0;
    lua_sethook(L, clua_count_hook, LUA_MASKCOUNT, hook_step);
}

static inline void clua_disarm_budget(lua_State *L) { lua_sethook(L, NULL, 0, 0); }

// MARK: - Message handler

/// Key in the registry where the handler leaves the traceback of the last error.
#define CLUA_TRACEBACK_KEY "argo.traceback"

/// Message handler in the style of lua.c's `msghandler`: leaves the error value as
/// it is (a string, or a table a plugin raised on purpose) and stores the
/// traceback beside it in the registry.
static inline int clua_message_handler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, CLUA_TRACEBACK_KEY);
    lua_settop(L, 1);
    return 1;
}

// MARK: - Host functions

/// The C closure behind every Swift host function (upvalue 1: its id). Swift runs
/// in soft memory mode and reports failure by status; the raise happens here.
static inline int clua_host_trampoline(lua_State *L) {
    clua_control *c = clua_control_of(L);
    int id = (int)lua_tointegerx(L, lua_upvalueindex(1), NULL);
    int was_strict = c->strict;
    int was_over = c->over_limit;
    c->strict = 0;
    c->over_limit = 0;
    int n = c->dispatch(L, id);
    int overran = c->over_limit;
    c->over_limit = was_over || overran;
    if (overran && n >= 0) {
        lua_pushliteral(L, "not enough memory: the state's memory limit was reached");
        n = -1;
    }
    if (n < 0 && lua_type(L, -1) == LUA_TSTRING) {  // position of the Lua caller, as luaL_error gives
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    c->strict = was_strict;
    if (n < 0) return lua_error(L);
    return n;
}

static inline void clua_push_host_function(lua_State *L, int id) {
    lua_pushinteger(L, id);
    lua_pushcclosure(L, clua_host_trampoline, 1);
}

#endif
