#!/usr/bin/env bash
# `make run`: web (gunicorn), Celery worker and beat, and a 4-node sandbox when the host allows it.
# Ctrl-C stops everything this script started (by PID) and tears the sandbox down.
set -uo pipefail
cd "$(dirname "$0")/.."
# a local run over plain http: no HTTPS redirect or secure-only cookies, keys generated into var/ (settings.py)
export RDS_DEV="${RDS_DEV:-1}"
PORT="${1:-8000}"
BIN=.venv/bin
pids=()
sandbox_started=0

stop() {
  trap - INT TERM EXIT
  echo; echo "stopping…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait "${pids[@]}" 2>/dev/null
  if [ "$sandbox_started" = 1 ]; then $BIN/python manage.py sandbox down || true; fi
  exit 0
}
trap stop INT TERM EXIT

$BIN/python manage.py ensure_admin
$BIN/python manage.py collectstatic --noinput -v 0
if $BIN/python manage.py help sandbox >/dev/null 2>&1; then
  if $BIN/python manage.py sandbox up --nodes 4; then
    sandbox_started=1
  else
    $BIN/python manage.py sandbox down >/dev/null 2>&1 || true
    echo "(no sandbox: the panel still runs; add real nodes in the console or API)"
  fi
fi
$BIN/celery -A rdsconsole worker --loglevel INFO --concurrency 2 & pids+=($!)
$BIN/celery -A rdsconsole beat --loglevel INFO --schedule var/celerybeat-schedule & pids+=($!)
$BIN/gunicorn rdsconsole.wsgi --bind "127.0.0.1:$PORT" --workers 2 --access-logfile - & pids+=($!)
echo "rdsconsole is at http://127.0.0.1:$PORT/ (API docs: /api/docs/). Ctrl-C stops it."
wait -n "${pids[@]}"
