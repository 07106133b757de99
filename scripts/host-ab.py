#!/usr/bin/env python3
"""Host CPU and memory of two Argo builds, alternated in one run.

    python3 scripts/host-ab.py REPO_A REPO_B [--rounds 6] [--symbols 500] [--cycles 5]

Each REPO is a checkout with a release `argo` built (`swift build -c release
--product argo`). One simulator, from REPO_B's build (older builds may have
no TLS in `argo simulate`), serves both over TLS in
a process of its own at zero latency (`argo simulate --tls`), so every CPU
second counted is the host's. Each round runs `argo run` of A, then of B (the
order flips every round): CYCLES cycles of SYMBOLS symbols, the cache off, the
pool opened and its TLS handshakes paid in the first cycle, nothing stored.
Each build reads its own plugins and consensus. Prints CPU seconds and peak
RSS per round and the medians, and B's ratio to A.

The machine drifts within an hour (docs/performance.md), so only the ratios
of one run mean anything.
"""
import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

KEYS = {
    "APCA_API_KEY_ID": "ab-id", "APCA_API_SECRET_KEY": "ab-secret", "MASSIVE_API_KEY": "ab-massive",
    "ALPHAVANTAGE_API_KEY": "ab-av", "XAI_API_KEY": "ab-xai", "PERPLEXITY_API_KEY": "ab-pplx",
}
SOURCES = ["alpaca", "massive", "yfinance", "alpha_vantage", "xai_grok", "sonar"]


def watch_list(count):
    known = ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META"]
    return (known + [f"Z{n:04d}" for n in range(1, count + 1)])[:count]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(root, work, name, port, ca_file, symbols):
    """A settings file for `root`'s build, next to a copy of its consensus.lua."""
    folder = os.path.join(work, name)
    os.makedirs(folder, exist_ok=True)
    shutil.copy(os.path.join(root, "Config", "consensus.lua"), folder)
    width = min(1024, max(8, symbols))
    lines = [
        f"plugins_dir: {os.path.join(root, 'plugins')}",
        f"cycle: {{ deadline: 60s, max_concurrent_symbols: {max(64, symbols)} }}",
        f"http: {{ connections_per_host: {width}, ca_file: \"{ca_file}\" }}",
        "sources:",
    ] + [
        f"  {source}: {{ base_url: \"https://127.0.0.1:{port}\", max_concurrency: {width}, "
        f"rate_limit: {{ requests: 100000, per: 1s }}, cache_ttl: 0s }}"
        for source in SOURCES
    ]
    path = os.path.join(folder, "argo.yaml")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def measured(root, settings, symbols, cycles):
    """One run in a child Python, so that its peak RSS is its own."""
    code = (
        "import resource, subprocess, sys, os\n"
        "r = subprocess.run(sys.argv[1:], cwd=os.environ['AB_ROOT'], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "lines = [l for l in r.stderr.splitlines() if 'error' in l]\n"
        "print(u.ru_utime + u.ru_stime, u.ru_maxrss / 1024, r.returncode, len(lines))\n"
        "print(lines[0] if lines else '')\n"
    )
    argo = os.path.join(root, ".build", "release", "argo")
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", code, argo, "run", "--config", settings, "--interval", "0s", "--cycles", str(cycles),
         "--no-store", "--symbols", ",".join(watch_list(symbols))],
        env={**os.environ, **KEYS, "ARGO_LOG_LEVEL": "warning", "AB_ROOT": root},
        capture_output=True, text=True, check=True).stdout.split("\n", 1)
    wall = time.monotonic() - started
    cpu, rss, code, errors = (float(out[0].split()[0]), float(out[0].split()[1]), int(out[0].split()[2]), int(out[0].split()[3]))
    if errors:
        print("  first error line: " + out[1].strip()[:300], flush=True)
    if code != 0:
        sys.exit(f"{argo} exited {code}")
    return cpu, rss, wall, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--symbols", type=int, default=500)
    parser.add_argument("--cycles", type=int, default=5)
    args = parser.parse_args()
    roots = [os.path.abspath(args.a), os.path.abspath(args.b)]
    work = tempfile.mkdtemp(prefix="argo-host-ab-")
    ca_file = os.path.join(work, "ca.pem")
    port = free_port()
    simulator = subprocess.Popen(
        [os.path.join(roots[1], ".build", "release", "argo"), "simulate", "--tls", "--port", str(port), "--ca-file", ca_file],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                if os.path.exists(ca_file):
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("the simulator did not start")
        settings = [config(root, work, name, port, ca_file, args.symbols) for root, name in zip(roots, "ab")]
        figures = {0: [], 1: []}
        for round_ in range(args.rounds):
            order = [0, 1] if round_ % 2 == 0 else [1, 0]
            for index in order:
                cpu, rss, wall, errors = measured(roots[index], settings[index], args.symbols, args.cycles)
                figures[index].append((cpu, rss, wall))
                print(f"round {round_ + 1} {'AB'[index]}: {cpu:.2f} CPU s, {rss:.0f} MB peak, {wall:.1f} s wall"
                      + (f", {errors} error lines" if errors else ""), flush=True)
    finally:
        simulator.terminate()
        simulator.wait()
        shutil.rmtree(work, ignore_errors=True)
    medians = [(statistics.median(c for c, _, _ in figures[i]), statistics.median(r for _, r, _ in figures[i])) for i in (0, 1)]
    per_cycle = args.symbols * args.cycles
    for index, (cpu, rss) in enumerate(medians):
        print(f"{'AB'[index]} {roots[index]}: median {cpu:.2f} CPU s ({cpu / per_cycle * 1e6:.0f} µs per symbol-cycle), {rss:.0f} MB peak")
    print(f"B / A, of the medians: CPU {medians[1][0] / medians[0][0]:.3f}, peak RSS {medians[1][1] / medians[0][1]:.3f}")
    # Each round's pair ran minutes apart at most, so its ratio carries less of the machine's drift.
    cpu_ratios = sorted(b[0] / a[0] for a, b in zip(figures[0], figures[1]))
    rss_ratios = sorted(b[1] / a[1] for a, b in zip(figures[0], figures[1]))
    print(f"B / A, median of the rounds' ratios: CPU {statistics.median(cpu_ratios):.3f} "
          f"(rounds {cpu_ratios[0]:.2f}–{cpu_ratios[-1]:.2f}), peak RSS {statistics.median(rss_ratios):.3f} "
          f"(rounds {rss_ratios[0]:.2f}–{rss_ratios[-1]:.2f})")


if __name__ == "__main__":
    main()
