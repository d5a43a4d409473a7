# Trainer: `make run` starts the platform with demo data; `make test` runs the whole suite.
# Both set everything up on a fresh machine: virtualenv, packages, bun (from npm), chromium (apt).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
# npm's bun package links its binary into node_modules/.bin (its postinstall moves the real one
# out of @oven/bun-linux-x64/bin, so that folder is empty afterwards).
BUN_DIR := $(TOOLS)/node_modules/.bin
BUN := $(BUN_DIR)/bun
BUN_NATIVE := $(TOOLS)/node_modules/@oven/bun-linux-x64/bin/bun
TRAINER_PORT ?= 3000
# Listen on loopback only unless told otherwise (TRAINER_HOST=0.0.0.0 for a shared server, with
# TRAINER_ORIGINS naming the address people open).
TRAINER_HOST ?= 127.0.0.1
export TRAINER_PORT TRAINER_HOST
STAMP := $(VENV)/.installed

export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_REGISTRY ?= https://registry.npmjs.org/
export REFLEX_DIR := $(CURDIR)/$(TOOLS)/reflex
export PATH := $(CURDIR)/$(BUN_DIR):$(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test setup lint format demo bench eval clean audit fuzz chromium bun speech-tools

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	# Installed without dependencies: openai-whisper would pull a 1 GB triton build, and
	# resemblyzer the unmaintained webrtcvad (webrtcvad-wheels above replaces it).
	$(PY) -m pip install -q --no-deps openai-whisper==20250625 resemblyzer==0.1.4
	touch $(STAMP)

$(BUN):
	mkdir -p $(TOOLS)
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) bun@1.4.5
	@# without its postinstall (npm --ignore-scripts) the native binary stays in @oven/...
	$(BUN) --version >/dev/null 2>&1 || ln -sf $(CURDIR)/$(BUN_NATIVE) $(BUN)
	$(BUN) --version

bun: $(BUN)

chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing chromium from apt"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

# espeak-ng and sox make the synthetic speech the call tests transcribe; ffmpeg is openai-whisper's
# audio loader.
speech-tools:
	@command -v espeak-ng >/dev/null && command -v sox >/dev/null && command -v ffmpeg >/dev/null || { \
	  echo "installing espeak-ng, sox and ffmpeg from apt"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng sox ffmpeg >/dev/null; }

setup: $(STAMP) $(BUN) chromium speech-tools

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup lint
	$(VENV)/bin/pytest

# The fuzz suite runs in `make test` with a few hundred inputs; this is the long run.
fuzz: $(STAMP)
	TRAINER_FUZZ_EXAMPLES=5000 $(VENV)/bin/pytest tests/fuzz -q -p no:cacheprovider

demo: $(STAMP)
	$(VENV)/bin/trainer demo

# Production build, frontend and backend on one port: http://localhost:$(TRAINER_PORT)/
# Demo mode: without TRAINER_SECRET_KEY the server uses a key generated once under var/.
run: setup demo
	TRAINER_DEMO=1 $(VENV)/bin/reflex run --env prod --single-port --backend-host $(TRAINER_HOST) --backend-port $(TRAINER_PORT)

bench: $(STAMP)
	$(PY) benchmarks/score_throughput.py

eval: $(STAMP)
	$(VENV)/bin/trainer eval empathy --data ../shared/datasets/epitome_empathy_dev.csv

# pip-audit over the installed dependencies; where no vulnerability database is reachable
# (these build machines) it says so in one line and does not fail the build.
audit: $(STAMP)
	test -x $(VENV)/bin/pip-audit || $(PY) -m pip install -q pip-audit
	$(PY) scripts/audit.py --pip-audit $(VENV)/bin/pip-audit

clean:
	rm -rf $(VENV) $(TOOLS) .web var
