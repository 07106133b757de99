#define LUA_LIB
#include "clua_guard.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

clua_control *clua_control_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (clua_control *)ud;
}

// MARK: - Small-block pool

// Most of what Lua allocates is small and short-lived (the tables, strings and
// hash parts of a decoded JSON body), and Lua passes a block's size back when it
// frees it. So blocks up to POOL_MAX bytes come from per-state free lists, one
// per 16-byte size class, carved from 64 KiB chunks: no lock, no header, no
// coalescing. A state is used by one thread at a time, so nothing is shared.
// Freed blocks stay with the state (bounded by its memory limit) until it closes.
#define POOL_GRAIN 16
#define POOL_MAX 512
#define POOL_CHUNK (64 * 1024)

static inline size_t pool_class(size_t size) { return (size - 1) / POOL_GRAIN; }

static void *pool_take(clua_control *c, size_t size) {
    size_t index = pool_class(size);
    void *block = c->free_lists[index];
    if (block != NULL) {
        c->free_lists[index] = *(void **)block;
        return block;
    }
    size_t rounded = (index + 1) * POOL_GRAIN;
    if (c->bump_left < rounded) {
        char *chunk = (char *)malloc(POOL_CHUNK);
        if (chunk == NULL) return NULL;
        *(void **)chunk = c->chunks;  // the first 16 bytes link the chunks
        c->chunks = chunk;
        c->pool_bytes += POOL_CHUNK;
        c->bump = chunk + POOL_GRAIN;
        c->bump_left = POOL_CHUNK - POOL_GRAIN;
    }
    block = c->bump;
    c->bump += rounded;
    c->bump_left -= rounded;
    return block;
}

static void pool_give(clua_control *c, void *block, size_t size) {
    size_t index = pool_class(size);
    *(void **)block = c->free_lists[index];
    c->free_lists[index] = block;
}

void clua_pool_release(clua_control *c) {
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

/// Bytes a running call may allocate per instruction-equivalent of its budget:
/// copying memory costs about what an instruction does per few dozen bytes.
#define BYTES_PER_STEP 32

// Failing (returning NULL) lets Lua run an emergency GC and retry before it
// raises a memory error. Outside strict mode (Swift is pushing values) it never
// fails for the cap: it records the overrun and the trampoline or the Swift
// caller raises it afterwards. The allocator never raises for the budget; it
// only charges it, and the next hook or library check stops the call.
void *clua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    clua_control *c = (clua_control *)ud;
    if (ptr == NULL) osize = 0;  // osize then encodes the object type, not a size
    if (nsize == 0) {
        if (ptr != NULL) {
            if (osize <= POOL_MAX) pool_give(c, ptr, osize); else free(ptr);
        }
        c->used -= osize;
        return NULL;
    }
    if (nsize > osize && c->limit != 0 && c->used - osize + nsize > c->limit) {
        c->over_limit = 1;
        if (c->strict) return NULL;
    }
    void *p;
    if (ptr != NULL && osize > POOL_MAX && nsize > POOL_MAX) {
        p = realloc(ptr, nsize);
    } else if (ptr != NULL && nsize <= POOL_MAX && pool_class(osize) == pool_class(nsize)) {
        p = ptr;  // the same size class: the block already fits
    } else {
        p = nsize <= POOL_MAX ? pool_take(c, nsize) : malloc(nsize);
        if (p != NULL && ptr != NULL) {
            memcpy(p, ptr, osize < nsize ? osize : nsize);
            if (osize <= POOL_MAX) pool_give(c, ptr, osize); else free(ptr);
        }
    }
    if (p == NULL) return NULL;
    c->used = c->used - osize + nsize;
    if (c->used > c->peak) c->peak = c->used;
    if (c->armed && nsize > osize + BYTES_PER_STEP) c->budget -= (long long)((nsize - osize) / BYTES_PER_STEP);
    return p;
}

// MARK: - Clocks

uint64_t clua_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

uint64_t clua_thread_cpu_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

// MARK: - Budget and time limit

static void count_hook(lua_State *L, lua_Debug *ar);

/// Whether the running call must stop; sets the flag that says why. Once a limit
/// is hit the hook fires on every instruction, so a script that catches the
/// error with pcall is stopped again at its very next instruction.
static int must_stop(lua_State *L, clua_control *c) {
    if (!c->armed) return 0;
    if (c->budget_exceeded || c->time_exceeded) return 1;
    c->unchecked = 0;
    if (c->budget <= 0) c->budget_exceeded = 1;
    else if (c->deadline_ns != 0 && clua_monotonic_ns() >= c->deadline_ns) c->time_exceeded = 1;
    else return 0;
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    return 1;
}

/// Pushes "chunk:line: " of the first Lua function from `level` up that is
/// plugin code (not a C function, not the sandbox's own wrappers), or "".
static void push_where(lua_State *L, int level) {
    lua_Debug ar;
    for (int at = level; lua_getstack(L, at, &ar); at++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && strcmp(ar.source, "=argo.sandbox") != 0) {
            lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
    lua_pushliteral(L, "");
}

static int raise_limit(lua_State *L, clua_control *c, int level) {
    push_where(L, level);
    if (c->time_exceeded) lua_pushliteral(L, "time limit exceeded");
    else lua_pushliteral(L, "instruction budget exceeded");
    lua_concat(L, 2);
    return lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    clua_control *c = clua_control_of(L);
    c->budget -= c->hook_step;
    if (must_stop(L, c)) raise_limit(L, c, 0);  // level 0: the Lua function that was running
}

void clua_arm(lua_State *L, long long instructions, int hook_step, uint64_t time_limit_ns) {
    clua_control *c = clua_control_of(L);
    c->armed = 1;
    c->budget = instructions;
    c->hook_step = hook_step;
    c->unchecked = 0;
    c->deadline_ns = time_limit_ns == 0 ? 0 : clua_monotonic_ns() + time_limit_ns;
    c->budget_exceeded = 0;
    c->time_exceeded = 0;
    c->in_library = 0;
    lua_sethook(L, count_hook, LUA_MASKCOUNT, hook_step);
}

void clua_disarm(lua_State *L) {
    clua_control_of(L)->armed = 0;
    lua_sethook(L, NULL, 0, 0);
}

int clua_charge_quietly(lua_State *L, long long cost) {
    clua_control *c = clua_control_of(L);
    if (!c->armed) return 0;
    c->budget -= cost;
    c->unchecked += cost;
    if (c->budget > 0 && c->unchecked < c->hook_step && !c->budget_exceeded && !c->time_exceeded) return 0;
    return must_stop(L, c);
}

void clua_charge(lua_State *L, long long cost, int level) {
    if (clua_charge_quietly(L, cost)) {
        clua_control *c = clua_control_of(L);
        c->in_library = 1;
        raise_limit(L, c, level);
    }
}

// MARK: - Lua threads

static _Thread_local int on_lua_thread = 0;

void clua_mark_lua_thread(void) { on_lua_thread = 1; }

int clua_on_lua_thread(void) { return on_lua_thread; }

// MARK: - Message handler

int clua_message_handler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, CLUA_TRACEBACK_KEY);
    lua_settop(L, 1);
    return 1;
}

// MARK: - Host functions

/// The C closure behind every Swift host function (upvalue 1: its id). Swift runs
/// in soft memory mode and reports failure by status; the raise happens here. A
/// host function that stopped for the budget or the time limit is reported as
/// that limit, and so is one that used up what was left of either.
static int host_trampoline(lua_State *L) {
    clua_control *c = clua_control_of(L);
    int id = (int)lua_tointegerx(L, lua_upvalueindex(1), NULL);
    int was_strict = c->strict;
    int was_over = c->over_limit;
    c->strict = 0;
    c->over_limit = 0;
    int n = c->dispatch(L, id);
    int overran = c->over_limit;
    c->over_limit = was_over || overran;
    c->strict = was_strict;
    if (must_stop(L, c)) {
        c->in_library = 1;
        return raise_limit(L, c, 1);
    }
    if (overran && n >= 0) {
        lua_pushliteral(L, "not enough memory: the state's memory limit was reached");
        n = -1;
    }
    if (n < 0 && lua_type(L, -1) == LUA_TSTRING) {  // position of the Lua caller, as luaL_error gives
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    if (n < 0) return lua_error(L);
    return n;
}

void clua_push_host_function(lua_State *L, int id) {
    lua_pushinteger(L, id);
    lua_pushcclosure(L, host_trampoline, 1);
}
