# rdsconsole: `make run` serves the whole stack, `make test` runs the full suite. Both set up what is missing.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rdsconsole
REDIS_URL ?= redis://127.0.0.1:6379/0
# make runs the panel locally over plain http (production settings need HTTPS and keys from the environment)
RDS_DEV ?= 1
export REDIS_URL RDS_DEV

.PHONY: run test bench setup redis migrate check clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

redis:
	@scripts/ensure-redis.sh "$(REDIS_URL)"

migrate: setup
	$(BIN)/python manage.py migrate --noinput

run: setup redis migrate
	scripts/run-stack.sh $(PORT)

test: setup redis
	scripts/run-tests.sh

check: setup
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python manage.py check
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python manage.py makemigrations --check --dry-run

bench: setup redis
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
