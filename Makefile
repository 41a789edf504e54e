# Two entry points for a fresh machine: `make demo` and `make test`. Both set up what they need.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast lint browser clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

setup: $(STAMP)

# The demo world end to end: generate, analyse, print where the results are.
demo: $(STAMP)
	$(BIN)/pandzicht demo --work demo

# Debian's Chromium for the browser tests (no browser downloads) and poppler-utils to read the printed reports back
# (pdftotext); needs root, as on these machines.
browser:
	@(command -v chromium && command -v pdftotext) >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null)

lint: $(STAMP)
	$(BIN)/ruff check src tests

# Everything CI runs: lint, the fast suite and the heavier marked suites.
test: $(STAMP) browser lint
	$(BIN)/pytest -q -n 2 --dist loadgroup --no-loadscope-reorder --durations=25

# The quick loop while developing: skips suites marked slow.
test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow" -x

clean:
	rm -rf $(VENV) demo uitvoer .pytest_cache .hypothesis
