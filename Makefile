# Formwork: the two commands a new user runs are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# The suite mostly waits on PostgreSQL, Prefect and subprocesses: two workers (one test file each) fill 2 cores.
TEST_WORKERS ?= 2

.PHONY: install demo stop test bench clean

install: $(VENV)/.installed

ENSURE := $(sort $(wildcard tools/ensure-*.sh))

$(VENV)/.installed: pyproject.toml $(ENSURE)
	@for script in $(ENSURE); do $$script || exit 1; done
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]' 2>&1 | grep -v -e "^WARNING: Location" -e "BuildBackendWarning" || true
	@$(BIN)/python -c "import formwork, prefect, psycopg, moto" || { echo "error: installing the project into $(VENV) failed" >&2; exit 1; }
	@touch $@

demo: install  ## Start the embedded stack, seed production, register environments, run every pipeline.
	@$(BIN)/formwork demo

stop:  ## Stop what `make demo` started (data under .formwork/ is kept).
	@test -x $(BIN)/formwork && $(BIN)/formwork local down || true

test: install  ## Lint, then the whole suite, with real PostgreSQL, S3 (moto server) and Prefect.
	@$(BIN)/ruff check --quiet . || { echo "error: ruff check found problems (ruff check --fix . repairs most)" >&2; exit 1; }
	@$(BIN)/ruff format --check --quiet . || { echo "error: files not formatted: ruff format . formats them" >&2; exit 1; }
	@$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: install  ## Benchmarks, each printing ratios against a baseline measured in the same run.
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test,bench]" 2>&1 | grep -v -e "^WARNING" || true
	@$(BIN)/python -m bench --scale 10 --scale 100

clean: stop
	rm -rf $(VENV) .formwork
