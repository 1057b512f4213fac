# Anxin — every task a developer or CI runs is a target here.
PY ?= python3
BENCH ?= checkout
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export ANXIN_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test test-sqlite test-postgres check lint bench fuzz venv clean messages

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

messages: $(STAMP)
	$(BIN)/python -m anxin.i18n

# The demo: SQLite in ./data, demo data, a task worker beside the web server; the static files
# under hashed names, compressed (collectstatic, as in production).
run: messages
	$(BIN)/anxin collectstatic --noinput -v0
	$(BIN)/anxin migrate --noinput
	$(BIN)/anxin demo
	$(BIN)/anxin demo --logins
	scripts/run-demo.sh

# The whole suite on SQLite, then again on a throwaway PostgreSQL.
test: messages
	scripts/ensure-system-deps.sh
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: messages
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: messages
	scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check anxin
	$(BIN)/ruff format --check anxin
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/structure-report --check
	$(BIN)/anxin makemigrations --check --dry-run
	$(BIN)/mypy anxin

lint: check

# The API fuzzed from its OpenAPI document, bigger than the run in `make test`: no 5xx, every
# error problem+json, no undeclared status; on SQLite, then on PostgreSQL.
FUZZ_EXAMPLES ?= 150
FUZZ_SECONDS ?= 1200
fuzz: messages
	scripts/ensure-system-deps.sh
	ANXIN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ANXIN_FUZZ_SECONDS=$(FUZZ_SECONDS) \
		$(BIN)/pytest anxin/api/tests/test_fuzz.py -p no:logging $(PYTEST_ARGS)
	ANXIN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ANXIN_FUZZ_SECONDS=$(FUZZ_SECONDS) \
		scripts/with-postgres.sh $(BIN)/pytest anxin/api/tests/test_fuzz.py -p no:logging $(PYTEST_ARGS)

# Benchmarks print figures; they are never part of the timed test suite.
bench: messages
	scripts/ensure-system-deps.sh
	scripts/with-postgres.sh $(BIN)/anxin bench $(BENCH) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data
