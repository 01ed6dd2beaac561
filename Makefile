# Every target creates .venv when it is missing, so a fresh clone needs only `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install postgres test lint docs demo demo-distributed bench clean

# The shared-journal tests start a real PostgreSQL on loopback; a fresh machine gets the server
# binaries from Debian when make runs as root (CI does), and a clear message otherwise.
PG_FOUND = $(or $(ENGAGIVE_PG_BIN),$(shell command -v initdb 2>/dev/null),$(wildcard /usr/lib/postgresql/*/bin/initdb))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench,docs]'
	touch $(STAMP)

install: $(STAMP)

postgres:
ifeq ($(PG_FOUND),)
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
		echo "PostgreSQL server binaries not found: install postgresql (initdb, pg_ctl) or set ENGAGIVE_PG_BIN" >&2; exit 1; \
	fi
endif

test: $(STAMP) postgres
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check engagive_async tests benchmarks examples
	$(BIN)/ruff format --check engagive_async tests benchmarks examples
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# The site goes to site/ (git-ignored); --strict turns every warning (a broken link, a name the
# API reference cannot find) into a failure.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

demo: $(STAMP)
	$(BIN)/python examples/demo.py

# One campaign of 20,000 rows across 4 worker processes sharing a journal and a pace in
# PostgreSQL, one worker killed mid-run; prints the proof from the fake's request log.
demo-distributed: $(STAMP) postgres
	$(BIN)/python examples/distributed_demo.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache site
