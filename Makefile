# Cupola: the README's commands.
#
#   make serve               create .venv, install, create var/Data.fs once, serve
#   make serve PORT=8081     another port (HOST=0.0.0.0 to listen on all addresses)
#   make test                install the test extra and Chromium, run pytest
#   make bench               run the benchmarks (bench/run.py)
#   make clean               remove build and test leftovers (never var/ or .venv)
#   make distclean           clean, and remove .venv as well

PYTHON ?= python3
VENV = .venv
BIN = $(VENV)/bin

# CUPOLA_HOST / CUPOLA_PORT from the environment are honoured as defaults.
HOST ?= $(or $(CUPOLA_HOST),127.0.0.1)
PORT ?= $(or $(CUPOLA_PORT),8080)

# pytest arguments: make test PYTEST_ARGS="-m 'not slow'"
PYTEST_ARGS ?=
# Tests run in this many processes (pytest-xdist); most of the slow ones wait
# on servers they started, so two workers halve the suite on two CPUs.
# make test WORKERS=0 runs them in one process.
WORKERS ?= 2

# Stamp files: reinstall only when a pyproject.toml is newer than the stamp.
STAMP = $(VENV)/.cupola-installed
TEST_STAMP = $(VENV)/.cupola-test-installed

# The example add-ons are distributions of their own (src/cupola_wiki,
# src/cupola_blog); the dev site and the suite have them installed, editable,
# in the same pip command as the core (which satisfies their `cupola`).
ADDONS = src/cupola_wiki src/cupola_blog
ADDON_PYPROJECTS = $(ADDONS:=/pyproject.toml)
ADDON_EDITABLES = $(addprefix -e ,$(ADDONS))

.PHONY: serve test bench chromium deploy-deps editor clean distclean

serve: $(STAMP) editor
	@test -f var/Data.fs || $(BIN)/cupola init
	$(BIN)/cupola serve --host $(HOST) --port $(PORT)

test: deploy-deps $(TEST_STAMP) chromium editor
	$(BIN)/pytest -q -p no:cacheprovider -n $(WORKERS) $(PYTEST_ARGS) tests

bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(ADDON_PYPROJECTS) | $(BIN)/python
	$(BIN)/pip install -e . $(ADDON_EDITABLES)
	touch $@

# The test extra includes the package itself, so it satisfies $(STAMP) too.
$(TEST_STAMP): pyproject.toml $(ADDON_PYPROJECTS) | $(BIN)/python
	$(BIN)/pip install -e '.[test]' $(ADDON_EDITABLES)
	touch $@ $(STAMP)

# The browser tests drive Debian's Chromium (/usr/bin/chromium).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=; \
	  elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	  else echo "make: /usr/bin/chromium is missing; install the 'chromium' package as root" >&2; exit 1; fi; \
	  echo "Installing Debian's chromium"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$sudo apt-get install -y -q chromium \
	    || { $$sudo apt-get update -q && $$sudo apt-get install -y -q chromium; }; \
	fi

# tests/deploy starts real web servers and databases from Debian's packages:
# Apache with mod_wsgi, nginx, lighttpd, PostgreSQL (and a compiler and
# Python's headers, which pip needs to build uWSGI of the test extra, so
# this runs before the install). Each server runs from a private config
# under the test's folder, so the install keeps Debian from starting the
# system services (policy-rc.d).
DEPLOY_PACKAGES = apache2 libapache2-mod-wsgi-py3 nginx lighttpd postgresql \
	build-essential python3-dev
deploy-deps:
	@missing=; for p in $(DEPLOY_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=; \
	  elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
	  else echo "make: missing Debian packages:$$missing; install them as root" >&2; exit 1; fi; \
	  echo "Installing Debian's$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; policy=; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' | $$sudo tee /usr/sbin/policy-rc.d >/dev/null; \
	    $$sudo chmod 755 /usr/sbin/policy-rc.d; policy=1; fi; \
	  $$sudo apt-get install -y -q $$missing \
	    || { $$sudo apt-get update -q && $$sudo apt-get install -y -q $$missing; }; \
	  status=$$?; [ -z "$$policy" ] || $$sudo rm -f /usr/sbin/policy-rc.d; exit $$status; \
	fi

# The admin's rich-text editor: Tiptap from npm (package.json), bundled by
# esbuild. Optional: without it the forms keep a plain HTML text area.
EDITOR_JS = skins/admin/static/cupola-admin/vendor/editor.js
editor: $(EDITOR_JS)
$(EDITOR_JS): package.json package-lock.json skins/admin/editor/editor.js
	@if command -v npm >/dev/null 2>&1; then \
	  { npm ci --no-audit --no-fund --loglevel=error && npm run --silent build; } \
	  || echo "make: building the rich-text editor failed; forms keep a plain text area" >&2; \
	else echo "make: npm is missing: no rich-text editor (forms keep a plain text area)" >&2; fi

clean:
	rm -rf build dist src/*.egg-info src/cupola_*/*.egg-info src/cupola_*/build \
	  .pytest_cache test-results \
	  bin parts develop-eggs eggs .installed.cfg
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
