# `make run` and `make test` are all a fresh machine needs: each creates the environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

NODE_PEERS := tests/node/node_modules/.installed

.PHONY: run test lint bench clean system-deps

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python server.py

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Test-only peers from npm, pinned by the lock file: cognito-local (a second Cognito) and aws-jwt-verify.
$(NODE_PEERS): tests/node/package.json tests/node/package-lock.json
	scripts/require.sh npm nodejs npm
	npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
	touch $@

# Debian's packages the tests start: a headless browser.
system-deps:
	scripts/require.sh chromium chromium

test: $(BIN)/.installed $(NODE_PEERS) system-deps lint
	$(BIN)/python -m pytest

# wrk comes from Debian's packages; the benchmark takes about five minutes on 2 cores.
bench: $(BIN)/.installed
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/node/node_modules
