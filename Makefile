# finbatch: `make run` serves the demo; `make test` runs the whole suite. Both bootstrap .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run serve test fuzz bench bench-quick lock clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## install: create .venv/ with the locked dependencies and finbatch itself
install: $(STAMP)

## run: migrate ./finbatch.db, load the demo tenant into an empty database, print a token, serve on :8000
run: install
	$(BIN)/finbatch db upgrade
	$(BIN)/finbatch demo --if-empty
	$(BIN)/finbatch serve

## test: the whole suite, on SQLite and (when reachable) PostgreSQL, in two processes (pytest-xdist)
test: install
	$(BIN)/ruff check src tests
	$(BIN)/python -m pytest -q -n 2

## fuzz: every operation of /openapi.json fuzzed thoroughly (schemathesis, random seeds, SQLite):
## FUZZ_EXAMPLES examples per operation (`make test` runs a short deterministic pass of the same)
FUZZ_EXAMPLES ?= 200
fuzz: install
	rm -f $(VENV)/fuzz-report.jsonl
	FINBATCH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FINBATCH_FUZZ_REPORT=$(CURDIR)/$(VENV)/fuzz-report.jsonl \
		HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -q -n 2 --durations=5 tests/fuzz
	$(BIN)/python -m tests.fuzz.report $(VENV)/fuzz-report.jsonl

## bench: every benchmark figure at N = 1,000,000 transactions, on SQLite and (when reachable)
## PostgreSQL; each prints `<name>: ratio=… ours=… limit=…` (bench/RESULTS.md records them)
bench: install
	$(BIN)/python -m bench.run --n 1000000

## bench-quick: the same figures at N = 100,000
bench-quick: install
	$(BIN)/python -m bench.run --n 100000

## lock: re-resolve the dependencies into requirements.lock (needs network)
lock:
	$(BIN)/python -m pip install --quiet uv==0.13.8
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header -q -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis src/*.egg-info
