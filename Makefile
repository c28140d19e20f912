# The single entry point. `make run` serves the portal with demo data; `make test` runs
# every test. Neither needs a database installed: without DATABASE_URL both use an embedded
# PostgreSQL (pgserver) whose data lives in .pgdata/.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB_URL = $${DATABASE_URL:-$$($(BIN)/python -m p3dn_portal.lib.embedded_pg url)}

# Development settings for every target but `run` (which runs the portal as users see it).
DEV = DEBUG=$${DEBUG:-1}

.PHONY: run worker beat test lint format bench migrations-check messages seed db-stop check-deploy backup clean

$(STAMP): pyproject.toml build-constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.3"
	$(BIN)/python -m pip install --quiet --build-constraint build-constraints.txt ".[dev]"
	touch $(STAMP)

messages: $(STAMP)
	$(BIN)/pybabel --quiet compile --domain django --directory locale

run: messages
	$(BIN)/python -m p3dn_portal.lib.devrun

worker: $(STAMP)
	$(DEV) DATABASE_URL="$(DB_URL)" $(BIN)/celery -A p3dn_portal worker --loglevel INFO

beat: $(STAMP)
	$(DEV) DATABASE_URL="$(DB_URL)" $(BIN)/celery -A p3dn_portal beat --loglevel INFO

test: messages node_modules/.package-lock.json
	$(DEV) DATABASE_URL="$(DB_URL)" $(BIN)/pytest $(PYTEST_ARGS)

# axe-core for the browser tests (tests/e2e), installed again when package.json or its lock
# changes. Without npm the browser tests are skipped with the reason (they fail instead with
# REQUIRE_SERVICES=1, as in CI, where .ci/run installs npm and chromium).
node_modules/.package-lock.json: package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the browser tests (tests/e2e) need axe-core from npm"; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: $(STAMP)
	$(DEV) DATABASE_URL="$(DB_URL)" $(BIN)/python manage.py makemigrations --check --dry-run

# Production-like settings: DEBUG off, a strong key, a host name.
check-deploy: $(STAMP)
	DEBUG=0 SECRET_KEY="check-deploy-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" \
		BID_SEALING_KEYS="$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
		ALLOWED_HOSTS=p3dn.jakarta.go.id DATABASE_URL="$(DB_URL)" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

seed: messages
	$(DEV) DATABASE_URL="$(DB_URL)" $(BIN)/python manage.py migrate --noinput
	$(DEV) DATABASE_URL="$(DB_URL)" $(BIN)/python manage.py seed_demo

# Seeds p3dn_bench (about 5 minutes the first time, reused after), then measures under load
# with wrk, installed from Debian's package when missing. BENCH_ARGS="--small" for a quick run.
bench: messages
	command -v wrk >/dev/null || { test "$$(id -u)" = 0 && apt-get install -y -q wrk; } \
		|| { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	DATABASE_URL="$(DB_URL)" $(BIN)/python -m benchmarks $(BENCH_ARGS)

# A backup of the database and the private uploads into BACKUP_ROOT (README, "Backups and
# restore"); `python manage.py restore <folder>` brings one back into an empty database.
backup: $(STAMP)
	$(DEV) DATABASE_URL="$(DB_URL)" $(BIN)/python manage.py backup $(BACKUP_ARGS)

db-stop: $(STAMP)
	$(BIN)/python -m p3dn_portal.lib.embedded_pg stop

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules test-artifacts .hypothesis
