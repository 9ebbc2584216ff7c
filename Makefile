# `make run` and `make test` are all a fresh machine needs: each creates the environment first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

NODE_PEERS := tests/node/node_modules/.installed
AMPLIFY_PEERS := tests/amplify/node_modules/.installed
AXE_PEERS := tests/axe/node_modules/.installed
AMPLIFY_BROWSER := tests/amplify-browser/dist/amplify.js

.PHONY: help example-idp-if-npm run run-fresh test test-fast lint lock bench clean system-deps package lambda-python

# `make help`: every target with its `## ` line (tests/test_makefile_help.py holds each .PHONY target to one).
help: ## List the targets, one line each
	@awk 'BEGIN { FS = ":.*## " } /^[A-Za-z0-9_-]+:.*## / { printf "  %-20s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

$(BIN)/.installed: requirements.txt requirements-dev.txt requirements-lambda.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed example-idp-if-npm ## Serve locally on 127.0.0.1 (the embedded emulator when no pool is set)
	$(BIN)/python server.py

# The same, with the embedded emulator's saved users, pool and client forgotten first.
run-fresh: $(BIN)/.installed example-idp-if-npm ## make run, the emulator's saved users, pool and client forgotten first
	$(BIN)/python server.py --fresh

# mypy is strict on these (pyproject.toml); what they import of schemas/ is read, not held to it.
MYPY_STRICT := services middleware controllers views server.py app.py routes.py config.py config_areas.py config_gateway.py config_state.py \
	pool_settings.py errors.py api_error.py token_errors.py managed_login_errors.py passkey_errors.py extensions.py \
	lambda_function.py account_errors.py request_errors.py
lint: $(BIN)/.installed ## ruff check, ruff format --check and mypy strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(MYPY_STRICT)

# Test-only peers from npm, pinned by the lock file: cognito-local (a second Cognito) and aws-jwt-verify.
$(NODE_PEERS): tests/node/package.json tests/node/package-lock.json
	scripts/require.sh npm nodejs npm
	npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
	touch $@

# axe-core, the accessibility checker the portal's browser tests inject into each page (its own lock file).
$(AXE_PEERS): tests/axe/package.json tests/axe/package-lock.json
	scripts/require.sh npm nodejs npm
	npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
	touch $@

# The client conformance suite's real clients from npm (Amplify JS v6, aws-jwt-verify), pinned by their own lock file.
$(AMPLIFY_PEERS): tests/amplify/package.json tests/amplify/package-lock.json
	scripts/require.sh npm nodejs npm
	npm ci --prefix tests/amplify --no-audit --no-fund --loglevel=error
	touch $@

# Amplify JS v6 for a page (the CORS browser test): its own lock file, bundled by esbuild into one file.
$(AMPLIFY_BROWSER): tests/amplify-browser/package.json tests/amplify-browser/package-lock.json tests/amplify-browser/entry.mjs
	scripts/require.sh npm nodejs npm
	npm ci --prefix tests/amplify-browser --no-audit --no-fund --loglevel=error
	npm run --prefix tests/amplify-browser --silent build

# ExampleIdP, the OpenID provider the emulator's managed login federates with (npm's oidc-provider, pinned by
# emulator/cognito_emulator/idp's own lock file). `make run` installs it when npm is there (without it, the
# sign-in page simply does not offer ExampleIdP); `make test` needs it.
IDP_PEERS := emulator/cognito_emulator/idp/node_modules/.installed
$(IDP_PEERS): emulator/cognito_emulator/idp/package.json emulator/cognito_emulator/idp/package-lock.json
	scripts/require.sh npm nodejs npm
	npm ci --prefix emulator/cognito_emulator/idp --no-audit --no-fund --loglevel=error
	touch $@

example-idp-if-npm: ## Install ExampleIdP's npm packages when npm is there (make run offers it then)
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(IDP_PEERS); \
	else echo "make: no npm here, so make run does not offer ExampleIdP on the emulator's sign-in page"; fi

# Debian's packages the tests start: a headless browser, nginx in front of the production configuration, Redis,
# Prometheus scraping it.
system-deps: ## Debian's packages the tests start, installed where missing (Chromium, nginx, Redis, Caddy, Prometheus)
	scripts/require.sh chromium chromium
	scripts/require.sh /usr/sbin/nginx nginx-light
	scripts/require.sh redis-server redis-server
	scripts/require.sh caddy caddy
	scripts/require.sh prometheus prometheus

# pytest keeps its assertion-rewritten test modules as bytecode (__pycache__/, ignored by git) even where the
# environment says PYTHONDONTWRITEBYTECODE (many CI images do): rewriting them all again costs each pytest
# process, each xdist worker too, about 5 s of CPU.
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest
# Two workers (pytest-xdist), each file whole on one of them: every test starts its servers on free ports and
# keeps its files in its own temporary folder, so the files run side by side (docs/testing.md has the times).
# The production configuration's time bounds (/hello never behind hung Cognito calls) want the machine to
# themselves: that file runs alone, after the others.
TEST_WORKERS ?= 2
ALONE := tests/test_production.py
test: $(BIN)/.installed $(NODE_PEERS) $(AMPLIFY_PEERS) $(AMPLIFY_BROWSER) $(IDP_PEERS) $(AXE_PEERS) system-deps lint ## Every test, after lint (installs what it needs first)
	$(PYTEST) -n $(TEST_WORKERS) --dist loadfile --ignore=$(ALONE)
	$(PYTEST) $(ALONE)

# The inner loop: no browser, npm peer, Redis, nginx, started process or slow run (markers in pyproject.toml);
# the Python packages only, about a minute on 2 cores (66 s measured). `make test` still runs everything.
FAST := not (browser or node or redis or nginx or subprocess or slow)
test-fast: $(BIN)/.installed ## The inner loop: the tests without a browser, npm peer, Redis, nginx, process or slow run
	$(PYTEST) -n auto -m "$(FAST)"

# requirements*.in hold the direct pins; pip-tools compiles them into requirements*.txt with every transitive
# dependency pinned and hashed, production first (the Lambda and dev files are constrained to its versions).
# Hashes cost a fresh install nothing measurable (about 70 s of CPU either way); compiling takes minutes.
# `make lock` after editing an .in file; `make lock PIP_COMPILE_ARGS=--upgrade` moves the transitive pins.
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --no-emit-index-url --no-emit-find-links --strip-extras $(PIP_COMPILE_ARGS)
lock: $(BIN)/.installed ## Compile requirements*.in into the hashed requirements*.txt
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-lambda.txt requirements-lambda.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

# wrk and nginx come from Debian's packages; the benchmarks take about eight minutes on 2 cores. The emulator's
# package (emulator/) is on the path, not installed in the venv (pyproject.toml's pytest pythonpath says why).
bench: $(BIN)/.installed system-deps ## The benchmarks (wrk and nginx; about eight minutes)
	scripts/require.sh wrk wrk
	PYTHONPATH=emulator $(BIN)/python -m bench.run

# `make package`: build/lambda.zip, the code template.yaml deploys. Linux wheels for the runtime and
# architecture the template names, the app without the emulator, tests and benchmarks, and every module
# compiled ahead (Lambda cannot write .pyc files: a cold start would compile them all). Each stage is
# rebuilt only when its inputs change.
LAMBDA_VERSION := $(shell sed -n 's/^ *Runtime: python\([0-9.]*\).*/\1/p' template.yaml)
LAMBDA_ARCH := $(shell sed -n 's/^ *Architectures: *\[ *\([a-z0-9_]*\).*/\1/p' template.yaml)
LAMBDA_PLATFORM := manylinux2014_$(if $(filter arm64,$(LAMBDA_ARCH)),aarch64,x86_64)
# An interpreter of that version compiles the code, and the tests import the zip with it: pythonX.Y on the
# PATH, else pyenv's; or set LAMBDA_PYTHON.
LAMBDA_PYTHON ?= $(firstword $(foreach python,python$(LAMBDA_VERSION) \
	$(wildcard $(HOME)/.pyenv/versions/$(LAMBDA_VERSION).*/bin/python$(LAMBDA_VERSION)), \
	$(if $(shell $(python) -c 'print(1)' 2>/dev/null),$(python))))
LAMBDA_APP := $(filter-out server.py,$(wildcard *.py)) \
	$(patsubst %/,%,$(filter-out bench/ build/ deploy/ docs/ emulator/ scripts/ tests/,$(wildcard */)))
LAMBDA_DEPS := build/lambda-deps/.installed

$(LAMBDA_DEPS): requirements.txt requirements-lambda.txt template.yaml | $(BIN)/.installed
	@test -n "$(LAMBDA_PYTHON)" || { echo "make: packaging needs python$(LAMBDA_VERSION) (template.yaml's \
	runtime) to compile for it; install it or set LAMBDA_PYTHON" >&2; exit 1; }
	rm -rf build/lambda-deps
	$(BIN)/pip install --quiet --disable-pip-version-check --no-compile --target build/lambda-deps \
		--implementation cp --python-version $(LAMBDA_VERSION) --platform $(LAMBDA_PLATFORM) \
		--only-binary=:all: -r requirements-lambda.txt
	rm -rf build/lambda-deps/bin
	$(LAMBDA_PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash build/lambda-deps
	touch $@

build/lambda.zip: $(LAMBDA_DEPS) $(shell find $(LAMBDA_APP) -type f -not -path '*/__pycache__/*')
	rm -rf build/lambda $@
	cp -r build/lambda-deps build/lambda
	rm build/lambda/.installed
	tar --exclude=__pycache__ -cf - $(LAMBDA_APP) | tar -xf - -C build/lambda
	cd build/lambda && $(LAMBDA_PYTHON) -m compileall -q --invalidation-mode unchecked-hash $(LAMBDA_APP)
	cd build/lambda && $(CURDIR)/$(BIN)/python -m zipfile -c ../lambda.zip .

package: build/lambda.zip ## Build build/lambda.zip, the code template.yaml deploys

# The interpreter the package is compiled with (the tests import the zip with it).
lambda-python: ## Print the interpreter the Lambda package is compiled with
	@echo $(LAMBDA_PYTHON)

clean: ## Remove the environment, caches, npm installs and build/
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache tests/node/node_modules tests/amplify/node_modules tests/axe/node_modules tests/amplify-browser/node_modules tests/amplify-browser/dist emulator/cognito_emulator/idp/node_modules build
