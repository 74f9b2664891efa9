# Everything installs from nothing but Python: the first target that needs .venv builds it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench bench-quick soak clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot run

# A throwaway PostgreSQL (installed first when root and missing) serves the tests that run on
# both engines; without one they skip with one line saying why, and with CI=true they fail.
test: $(STAMP) lint
	NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
		$(BIN)/python tools/throwaway_postgres.py -- $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick

soak: $(STAMP)
	NO_PROXY=127.0.0.1,localhost $(BIN)/python -m pytest -q -m soak

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
