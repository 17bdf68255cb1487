# thermidor: `make demo` sets up and runs the main job; `make test` sets up and runs the tests.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-test

# A Python >= 3.12: one on PATH, else one that pyenv has installed.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	  "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { command -v "$$p"; break; }; \
	done)

# The browser of the report's tests: Debian's chromium (playwright drives it; it downloads none).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test test-slow bench bench-ensemble mutation clean

$(PY):
	@test -n "$(PYTHON)" || { echo "error: no Python >= 3.12 found (install one, or set PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/thermidor demo --out demo

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null

test: $(STAMP) $(CHROMIUM)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/pytest -q -m "not slow"

# the twin's statistical ensembles against the engine (over 15 minutes on 2 cores)
test-slow: $(STAMP)
	$(VENV)/bin/pytest -q -m slow

bench: $(STAMP)
	$(PY) benchmarks/throughput.py

bench-ensemble: $(STAMP)
	$(PY) benchmarks/ensemble.py

# mutation testing of one group (see docs/testing.md): make mutation GROUP=analysis SAMPLE=40
mutation: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,mutation]'
	PYTHON=$(PY) benchmarks/mutation.sh $(GROUP) $(SAMPLE)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
