#!/usr/bin/env python3
"""Where a process's CPU goes, by part of Argo: reads `perf script -F pid,tid,comm,ip,sym,dso`
(recorded with --call-graph dwarf) on stdin, keeps the samples of one process (the first
one seen, or --pid), and gives each sample to the innermost frame of its stack that
belongs to a known part. Prints a markdown table, most expensive part first.

    perf script -i perf.data -F pid,tid,comm,ip,sym,dso | scripts/profile-categories.py
"""
import re
import sys
from collections import Counter

# (part, pattern on the frame's symbol or library); the first that matches, from the leaf up, wins.
# Frames in liblua, libc, the Swift runtime and the kernel belong to whoever called them; time
# in the Lua interpreter under a host call into a plugin is the plugin's own code.
PARTS = [
    ("JSON→Lua (decode into tables)", r"JSONToLua|JSONTo[A-Z0-9]|pushJSON|jsonDecodeHostFunction"),
    ("Lua values ↔ Swift (LuaValue, push, read)", r"ArgoLua0[A-Za-z0-9]*Value|7ArgoLua0B5Value|LuaValue|LuaState\w*push|LuaState\w*value|7ArgoLua\w*push|7ArgoLua\w*value"),
    ("Lua host calls (states, pool, calls)", r"7ArgoLua"),
    ("indicators", r"Indicators|SeriesLatest|ExponentialAverage|10ArgoEngine6Series"),
    ("regime", r"Regime"),
    ("consensus", r"Consensus"),
    ("engine (fan-out, plugin host, report)", r"10ArgoEngine"),
    ("HTTP client (ArgoFetch/HTTP1, NIO, sockets)",
     r"9ArgoFetch\w*(HTTP1|RequestTarget|OriginPools|AsyncHTTPClientBackend)|AsyncHTTPClient|NIOPosix|NIOCore|NIOHTTP1|NIOSSL|NIOHTTPCompression|\bNIO\b|7NIOCore|8NIOPosix|8NIOHTTP1|15AsyncHTTPClient"),
    ("fetch core (policies, cache, stats, pruning)", r"9ArgoFetch"),
    ("Swift concurrency runtime", r"libswift_Concurrency|swift_task|swift_job"),
]
LUA_CODE = "Lua plugin code (the interpreter running plugins)"
COMPILED = [(name, re.compile(pattern)) for name, pattern in PARTS]


def samples(lines):
    header, frames = None, []
    for line in lines:
        if not line.strip():
            if header is not None:
                yield header, frames
            header, frames = None, []
        elif not line.startswith((" ", "\t")):
            header, frames = line.split(), []
        else:
            frames.append(line.strip())
    if header is not None:
        yield header, frames


def main():
    wanted = None
    if len(sys.argv) > 2 and sys.argv[1] == "--pid":
        wanted = sys.argv[2]
    parts, total = Counter(), 0
    for header, frames in samples(sys.stdin):
        pid = header[1].split("/")[0] if len(header) > 1 else ""
        wanted = wanted or pid
        if pid != wanted:
            continue
        total += 1
        part = "other (start-up, kernel, libc outside a known caller)"
        in_lua = False
        for frame in frames:
            if "liblua5.4" in frame:
                in_lua = True
                continue
            hit = next((name for name, pattern in COMPILED if pattern.search(frame)), None)
            if hit:
                part = LUA_CODE if hit == "Lua host calls (states, pool, calls)" and in_lua else hit
                break
        parts[part] += 1
    print(f"| part | samples | share |\n| --- | ---: | ---: |")
    for name, count in parts.most_common():
        print(f"| {name} | {count} | {100 * count / max(total, 1):.1f}% |")
    print(f"| all (pid {wanted}) | {total} | 100% |")


main()
