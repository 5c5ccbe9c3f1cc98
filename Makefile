# Two commands on a fresh machine with Python >= 3.10 and make:
#   make demo   - create .venv, install chainrule, run the main job
#   make test   - create .venv with the test extras, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_DIR ?= runs/demo

.PHONY: demo test test-slow lint bench system-deps test-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Each install stamp is remade when the project's metadata changes.
$(VENV)/.demo-installed: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[viz,cli,data]'
	touch $@

$(VENV)/.test-installed: pyproject.toml Makefile | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[viz,cli,data,test]'
	touch $@

# System packages: Graphviz's `dot` renders graphs (without it chainrule writes DOT
# text instead); Chromium runs the browser tests of the HTML pages (test-deps).
APT_INSTALL = apt-get update -qq && apt-get install -y -qq --no-install-recommends

system-deps:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    ($(APT_INSTALL) graphviz >/dev/null) \
	      || echo "note: could not install graphviz; graphs will be written as DOT text"; \
	  else echo "note: graphviz's 'dot' not found; graphs will be written as DOT text"; fi; }

test-deps: system-deps
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    $(APT_INSTALL) chromium >/dev/null; \
	  else echo "the browser tests need Debian's chromium at /usr/bin/chromium"; exit 1; fi; }

demo: $(VENV)/.demo-installed system-deps
	$(BIN)/chainrule train --out $(RUN_DIR)
	$(BIN)/chainrule graph "tanh(x1*w1 + x2*w2 + b)" \
	  --set x1=2 x2=0 w1=-3 w2=1 b=6.8813735870195432 --html $(RUN_DIR)/neuron.html

test: $(VENV)/.test-installed test-deps
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: $(VENV)/.test-installed test-deps
	$(BIN)/python -m pytest -q -m slow || [ $$? -eq 5 ]  # 5: no test is marked slow yet

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/scalar_moons.py
	$(BIN)/python benchmarks/tensor_ops.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .hypothesis
