# taskgov — two commands on a fresh machine:
#   make run    create .venv, install taskgov, build the example repository, print its frontier
#   make test   install the dev dependencies and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXAMPLE := build/example-calibration

.PHONY: run test check bench example clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "taskgov needs Python >= 3.10: run make PYTHON=python3.x ..."; exit 2; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	@touch $@ $(VENV)/.installed

example: $(VENV)/.installed
	$(BIN)/python examples/build_example.py $(EXAMPLE)

run: example
	@echo
	@echo '$$ taskgov -C $(EXAMPLE) validate'
	@$(BIN)/taskgov -C $(EXAMPLE) validate
	@echo
	@echo '$$ taskgov -C $(EXAMPLE) list'
	@$(BIN)/taskgov -C $(EXAMPLE) list
	@echo
	@echo '$$ taskgov -C $(EXAMPLE) plan --workers 2'
	@$(BIN)/taskgov -C $(EXAMPLE) plan --workers 2
	@echo
	@echo '$$ taskgov -C $(EXAMPLE) ready'
	@$(BIN)/taskgov -C $(EXAMPLE) ready

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n auto -q

check: $(VENV)/.dev-installed
	$(BIN)/ruff check taskgov tests bench examples
	$(BIN)/ruff format --check taskgov tests bench examples
	$(BIN)/mypy
	$(BIN)/taskgov validate

bench: $(VENV)/.dev-installed  # the benches compare with networkx, a dev dependency
	$(BIN)/python bench/bench_load.py
	$(BIN)/python bench/bench_hook.py
	$(BIN)/python bench/bench_log.py
	$(BIN)/python bench/bench_ready.py --no-write
	$(BIN)/python bench/bench_plan.py
	$(BIN)/python bench/bench_psplib.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
