#!/usr/bin/env bash
# Make sure a Redis server answers at the given URL; start a private one on 127.0.0.1 if none does.
set -euo pipefail
url="${1:-redis://127.0.0.1:6379/0}"
hostport="${url#redis://}"; hostport="${hostport%%/*}"; hostport="${hostport##*@}"
host="${hostport%%:*}"; port="${hostport##*:}"
[ "$port" = "$host" ] && port=6379
if redis-cli -h "$host" -p "$port" ping >/dev/null 2>&1; then
  exit 0
fi
if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server (Debian package)…"
  (apt-get install -y -q redis-server >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q redis-server >/dev/null; })
fi
if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
  echo "Redis at $host:$port does not answer and is not local; start it or set REDIS_URL" >&2
  exit 1
fi
mkdir -p var
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
  --dir "$PWD/var" --logfile "$PWD/var/redis.log" --pidfile "$PWD/var/redis.pid"
for _ in $(seq 50); do redis-cli -h "$host" -p "$port" ping >/dev/null 2>&1 && exit 0; sleep 0.1; done
echo "Redis did not start on $host:$port (see var/redis.log)" >&2
exit 1
