# Two targets do all the set-up on a fresh machine with Python 3.11+ (see README, Quick start).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DB     ?= forensics.duckdb

.PHONY: demo test browser bench clean

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
	@echo
	@echo "Next: source $(VENV)/bin/activate (or run $(BIN)/forensics), then: forensics tui · forensics report > report.md · forensics queries"

## test: the whole test suite (installs Debian's chromium for the HTML report's browser test when run as root)
test: $(BIN)/forensics browser
	$(BIN)/python -m pytest -q

browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } \
	  || echo "chromium is not installed: the HTML report's browser test will be skipped (apt-get install chromium)"

## bench: ingest throughput and memory against wc -l and lnav, side by side (see bench/README.md)
bench: $(BIN)/forensics
	$(BIN)/python bench/ingest_bench.py

clean:
	rm -rf $(VENV) $(DB) .pytest_cache
