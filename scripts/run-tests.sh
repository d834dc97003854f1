#!/usr/bin/env bash
# The full suite on PostgreSQL: checks, migrations check, then pytest (unit, API, inventory, sandbox, e2e).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rdsconsole}"
export RDS_VAR_DIR="${RDS_VAR_DIR:-$PWD/var/test}"
export REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
export RDS_DEV="${RDS_DEV:-1}"  # manage.py below as a local run (pytest's own settings module sets it too)
BIN=.venv/bin
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "PostgreSQL does not answer on 127.0.0.1:5432; starting the local cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi
$BIN/python manage.py check
if [ "$(id -u)" = 0 ]; then
  # the node packages (PostgreSQL 15, Patroni, etcd, HAProxy, …): the sandbox runs them and the template tests
  # validate rendered files with them
  $BIN/python manage.py sandbox install
  # the browser tests drive Debian's chromium (Playwright downloads no browser)
  command -v chromium >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
fi
$BIN/python manage.py makemigrations --check --dry-run
$BIN/pytest "$@"
