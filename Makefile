# Argo — make targets
#   make run        install what is missing, build in release, run a demo cycle and a demo backtest
#   make test       install what is missing, check the module layering, then run the test suite
#   make build      release build of `argo`
#   make bench      before (the seed) vs argo, host overhead, 2,000 symbols at rate limits: tables + bench/results.json (release, ~7 min)
#   make bench-lua  JSON→Lua decoding micro benchmark (release)
#   make bench-sim  simulator throughput on loopback with wrk (release)
#   make bench-fetch  client CPU per request through the fetch core (release)
#   make deps       install the system packages Argo needs (liblua5.4-dev, libsqlite3-dev, zlib1g-dev, pkg-config, python3)
#   make clean      remove build products
#   make help       this list

SWIFT ?= swift
ARGO  := .build/release/argo
SUDO  := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo)

.PHONY: help run test build bench bench-lua bench-sim bench-fetch deps clean

help:
	@sed -n 's/^#   //p' Makefile

deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists lua5.4 || ! pkg-config --exists sqlite3 || ! pkg-config --exists zlib || ! command -v python3 >/dev/null 2>&1; then \
		echo "==> installing liblua5.4-dev, libsqlite3-dev, zlib1g-dev, pkg-config and python3"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq liblua5.4-dev libsqlite3-dev zlib1g-dev pkg-config python3-minimal >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c release --product argo

run: build
	$(ARGO) sources check
	$(ARGO) cycle --demo
	$(ARGO) backtest --demo -q --from $$(date -u -d '1 year ago' +%Y-%m-%d) --symbols AAPL,MSFT --horizons 1,5,20

# Tests run in parallel. Waits of the fetch policies (backoff, Retry-After, rate limits, TTLs,
# cooldowns) run on a test clock. The few tests that wait for a real deadline and check it was
# kept (suites named RealDeadlineTests) run alone afterwards: beside a few hundred other tests
# on 2 cores, a deadline's timer or a cycle's last step can wait seconds for a thread.
test: deps
	python3 scripts/check-layers.py
	$(SWIFT) test --skip RealDeadlineTests
	$(SWIFT) test --skip-build --no-parallel --filter RealDeadlineTests

bench: deps
	$(SWIFT) build -c release --product ArgoBench
	.build/release/ArgoBench $(BENCH_ARGS)

bench-lua: deps
	$(SWIFT) run -c release ArgoLuaBench

bench-fetch: build
	$(SWIFT) build -c release --product ArgoFetchBench
	scripts/bench-fetch.sh

bench-sim: build
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	scripts/bench-sim.sh

clean:
	rm -rf .build
