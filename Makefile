# Two commands do everything: `make start` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BOOK_PORT ?= 8000
VOILA_PORT ?= 8866
HOST ?= 127.0.0.1

.PHONY: start test venv book lab lint unit browser notebooks chromium frontend serve-cohort clean help

help:
	@echo "make start   build the book and serve it with the tools (Ctrl-C stops both)"
	@echo "make test    the whole test suite"
	@echo "make lab     JupyterLab on the repository, for analysts"

# The environment: created when missing, rebuilt when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

venv: $(STAMP)

# The tool pages' front end (frontend/): built with Node.js and npm, when its sources change.
FRONTEND := frontend/dist/page.json
$(FRONTEND): frontend/package.json frontend/package-lock.json frontend/build.mjs $(wildcard frontend/src/*.js)
	@command -v npm >/dev/null || { echo "Node.js and npm are needed to build the tool pages (frontend/)"; exit 1; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && node build.mjs
frontend: $(FRONTEND)

book: venv
	$(BIN)/jupyter-book build . -W -n --keep-going

start: book frontend
	$(BIN)/python scripts/serve.py --host $(HOST) --book-port $(BOOK_PORT) --voila-port $(VOILA_PORT)

lab: venv
	$(BIN)/jupyter lab --notebook-dir=.

# Browser tests use Debian's chromium; install it when it is missing and we can.
chromium:
	@bash scripts/ensure-chromium.sh

lint: venv
	$(BIN)/ruff check .

# Two workers; a test file (and so a notebook's cells) always stays on one worker, in order.
XDIST := -n 2 --dist loadfile

unit: venv
	$(BIN)/python -m pytest -q $(XDIST) -m "not browser"

browser: venv chromium book frontend
	$(BIN)/python -m pytest -q -m browser

notebooks: venv
	$(BIN)/python -m pytest -q $(XDIST) --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg book notebooks

test: venv chromium frontend
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory lint && \
	$(MAKE) --no-print-directory book && \
	$(MAKE) --no-print-directory unit && \
	$(BIN)/python -m pytest -q -m browser && \
	$(MAKE) --no-print-directory notebooks && \
	echo "make test: everything passed in $$(( $$(date +%s) - start )) s"

clean:
	rm -rf _build

# A training session: warm kernels for N participants, a cap, idle kernels closed
# (see deploy/README.md). Optional: APPS=sampling,spc  TOKEN=access-code  HOST=0.0.0.0
N ?= 30
serve-cohort: venv
	$(BIN)/python scripts/cohort.py --participants $(N) --host $(HOST) --port $(VOILA_PORT) \
		$(if $(APPS),--apps $(APPS)) $(if $(TOKEN),--token $(TOKEN))
