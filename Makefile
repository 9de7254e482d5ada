# Two targets do all the set-up on a fresh machine with Python 3.11+ (see README, Quick start).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= sample.duckdb

.PHONY: demo test bench clean

$(BIN)/forensics: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## demo: ingest sample_logs/incident into $(DB), then show what broke and when
demo: $(BIN)/forensics
	rm -f $(DB)
	$(BIN)/forensics ingest --db $(DB) --tz 'api-pod-b=America/Los_Angeles' sample_logs/incident
	$(BIN)/forensics query --db $(DB) broker_timeline

## test: the whole test suite
test: $(BIN)/forensics
	$(BIN)/python -m pytest -q

## bench: ingest throughput and memory against wc -l and lnav, side by side (see bench/README.md)
bench: $(BIN)/forensics
	$(BIN)/python bench/ingest_bench.py

clean:
	rm -rf $(VENV) $(DB) .pytest_cache
