#ifndef CLUA_GUARD_H
#define CLUA_GUARD_H

// The C half of Argo's Lua sandbox: the code that Lua itself calls and that may
// raise a Lua error (allocator, count hook, message handler, host-function
// trampoline, bounded library functions). A Lua error is a longjmp; it must only
// ever unwind C frames, never Swift ones, so none of this can be written in Swift.
// All policy (what a limit is, how errors are reported) is in ArgoLua.

#include <lua.h>
#include <stddef.h>
#include <stdint.h>

/// Shared between the allocator, the hook, the bounded library functions and
/// Swift. One per lua_State, owned by the Swift `LuaState`, reached from C
/// through the allocator's user data.
typedef struct clua_control {
    size_t used;             ///< bytes currently allocated by this state
    size_t peak;             ///< highest `used` seen
    size_t limit;            ///< memory cap while Lua code runs; 0 = none
    int strict;              ///< 1 while Lua code runs: allocations past `limit` fail
    int over_limit;          ///< set when the cap was hit (refused, or passed in soft mode)

    int armed;               ///< 1 while a call runs under the budget and the time limit
    long long budget;        ///< instruction-equivalents left in the current call
    int hook_step;           ///< instructions between two count hooks
    long long unchecked;     ///< charged since the clock was last read
    uint64_t deadline_ns;    ///< CLOCK_MONOTONIC time the call must end by; 0 = none
    int budget_exceeded;     ///< set when the budget ran out
    int time_exceeded;       ///< set when the deadline passed
    int in_library;          ///< set when a limit stopped a library function midway

    /// Swift's dispatcher for host functions: returns the number of results, or -1
    /// with an error message on top of the stack for the trampoline to raise.
    int (*dispatch)(lua_State *L, int function_id);
    void *owner;             ///< the Swift LuaState (unretained)

    /// Small blocks (see guard.c): a free list per 16-byte size class, the chunks
    /// they are carved from, and what is left of the newest chunk.
    void *free_lists[32];
    void *chunks;
    char *bump;
    size_t bump_left;
    size_t pool_bytes;       ///< bytes of chunks the pool holds (used or free)
} clua_control;

/// The control block of `L`.
clua_control *clua_control_of(lua_State *L);

/// lua_Alloc that counts bytes, enforces the cap and charges the budget for what
/// a running call allocates (a library function's output costs in proportion).
void *clua_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

/// Frees the small-block pool's chunks; call once, after lua_close.
void clua_pool_release(clua_control *c);

/// Arms the budget (`instructions`, checked every `hook_step`) and the time
/// limit (`time_limit_ns` from now; 0 = none) for one call of Lua code.
void clua_arm(lua_State *L, long long instructions, int hook_step, uint64_t time_limit_ns);

/// Disarms them after the call.
void clua_disarm(lua_State *L);

/// Charges `cost` instruction-equivalents to the running call and raises the
/// limit's error when the budget is gone or the deadline has passed. `level` is
/// the stack level the error's position names (1: the Lua caller of a C function).
/// Only for C code Lua called; never from Swift.
void clua_charge(lua_State *L, long long cost, int level);

/// Charges without raising, for Swift host functions: returns 1 when the call
/// must stop (its budget or time is gone); the trampoline then raises the limit.
int clua_charge_quietly(lua_State *L, long long cost);

/// CLOCK_MONOTONIC in nanoseconds.
uint64_t clua_monotonic_ns(void);

/// Thread CPU time in nanoseconds (CLOCK_THREAD_CPUTIME_ID).
uint64_t clua_thread_cpu_ns(void);

/// Marks the calling thread as one where Lua may run (a Lua executor's or a pool's thread).
void clua_mark_lua_thread(void);

/// Whether the calling thread was marked by ``clua_mark_lua_thread``.
int clua_on_lua_thread(void);

/// Message handler in the style of lua.c's `msghandler`: leaves the error value
/// as it is and stores the traceback in the registry under CLUA_TRACEBACK_KEY.
int clua_message_handler(lua_State *L);
#define CLUA_TRACEBACK_KEY "argo.traceback"

/// Pushes the C closure behind Swift host function `id` (the trampoline).
void clua_push_host_function(lua_State *L, int id);

/// Replaces the library functions whose cost the count hook cannot see (the
/// pattern functions, `string.rep`, the functions that scan or build long
/// strings or move many table slots, `load`) with versions that charge the
/// budget for their work. Call after the libraries are opened, before any
/// plugin code copies them.
void clua_install_bounded_library(lua_State *L);

/// The pattern functions of Lua 5.4's string library with a step count
/// (lua_patterns.c): a backtracking pattern runs out of budget or time instead
/// of running for minutes.
int clua_str_find(lua_State *L);
int clua_str_match(lua_State *L);
int clua_str_gmatch(lua_State *L);
int clua_str_gsub(lua_State *L);

#endif
