# vae-teach — the two commands: `make lab` (open the notebooks) and `make test` (run all tests).
# Both create .venv and install what they need on first use; later runs skip the install
# (the stamp file is newer than pyproject.toml and constraints.txt).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8888
PIP    := $(PY) -m pip install --disable-pip-version-check -q -c constraints.txt

.PHONY: help install lab test test-fast notebooks weights figures bench student demo clean browser-deps hub hub-deps

help:
	@echo "make lab       open the notebooks in JupyterLab (creates .venv on first use)"
	@echo "make test      run every test: package tests + nbval over notebooks/ (+ browser test),"
	@echo "               then the notebooks again under simulated other CPUs"
	@echo "make demo      the latent-space explorer as a Voila app (classroom projector)"
	@echo "make notebooks rebuild notebooks/*.ipynb from notebooks/_src/*.py and execute them"
	@echo "make weights   retrain the small pretrained models in vae_teach/nets/weights/"
	@echo "make figures   redraw every picture in figures/"
	@echo "make bench     run the benchmarks (on an idle machine)"
	@echo "make student   build the student copy (solutions -> TODO stubs) in build/student/"
	@echo "make browser-deps  install Debian's chromium for the browser tests (as root)"
	@echo "make hub       a local JupyterHub for a class on 127.0.0.1:$(HUB_PORT) (test/demo login; docs/deployment.md)"
	@echo "make hub-deps  npm install configurable-http-proxy into deploy/ (for make hub and the hub test)"

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --allow-root --ServerApp.root_dir=notebooks --port=$(PORT)

test: $(STAMP) browser-deps hub-deps
	$(PY) -m pytest tests notebooks --nbval-lax --nbval-current-env
	$(PY) tests/simulated_machines.py

test-fast: $(STAMP)
	$(PY) -m pytest tests -m "not slow and not browser and not hub"

notebooks: $(STAMP)
	$(PY) -m vae_teach.tools.nbbuild

weights: $(STAMP)
	$(PY) -m vae_teach.tools.weights --build

figures: $(STAMP)
	$(PY) -m vae_teach.tools.figures --out figures

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

student: $(STAMP)
	$(PY) -m vae_teach.tools.student --out build/student

demo: $(STAMP)
	$(PY) -m vae_teach.tools.demo --port=$(PORT)

# The browser tests (tests/test_browser.py) drive Debian's chromium; without it they are skipped.
browser-deps:
	@if [ -x /usr/bin/chromium ]; then echo "chromium present: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "browser tests need Debian's chromium: sudo apt-get install -y chromium" \
	  "(without it they are skipped)"; fi

clean:
	rm -rf build .pytest_cache

# A local JupyterHub for a class (deploy/jupyterhub_config.py): loopback only, any name logs in
# (DummyAuthenticator: for the test and the demo; docs/deployment.md says what to use instead).
HUB_PORT ?= 8000
CHP := deploy/node_modules/.bin/configurable-http-proxy

hub-deps:
	@if [ -x $(CHP) ]; then echo "configurable-http-proxy present: $(CHP)"; \
	elif command -v npm >/dev/null 2>&1; then \
	  cd deploy && npm ci --no-audit --no-fund; \
	else echo "the hub needs configurable-http-proxy, installed with npm (Node.js): install" \
	  "nodejs and npm (Debian: apt-get install -y npm), then make hub-deps" \
	  "(without it the hub tests are skipped)"; fi

hub: $(STAMP) hub-deps
	@test -x $(CHP) || { echo "no configurable-http-proxy: see make hub-deps"; exit 1; }
	@echo "hub: http://127.0.0.1:$(HUB_PORT)/  (log in with any name; Ctrl-C stops the hub and every student's server)"
	VAE_HUB_PORT=$(HUB_PORT) $(VENV)/bin/jupyterhub -f deploy/jupyterhub_config.py
