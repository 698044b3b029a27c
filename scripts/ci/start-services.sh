#!/usr/bin/env bash
# Makes sure PostgreSQL (with pgvector in database `test`) and Redis answer on 127.0.0.1.
# On this kind of machine both normally run already; start them only when they do not answer.
set -euo pipefail

log() { printf '[%s] start-services: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

PG_HOST=127.0.0.1
PG_PORT="${PG_PORT:-5432}"
PG_DB="${PG_DB:-test}"
REDIS_PORT="${REDIS_PORT:-6379}"
WAIT_SECONDS="${WAIT_SECONDS:-60}"

wait_for() { # description, command...
  local what="$1"; shift
  local i
  for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
    if "$@" >/dev/null 2>&1; then log "$what is ready"; return 0; fi
    sleep 0.5
  done
  echo "start-services: $what did not become ready within ${WAIT_SECONDS}s" >&2
  return 1
}

# PostgreSQL
if pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  log "PostgreSQL already answers on ${PG_HOST}:${PG_PORT}"
else
  for version in $(ls /etc/postgresql); do
    log "starting PostgreSQL ${version}/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || log "pg_ctlcluster ${version} main start failed (may already be starting)"
  done
fi
wait_for "PostgreSQL" pg_isready -q -h "$PG_HOST" -p "$PG_PORT"

# Redis
if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
  log "Redis already answers on 127.0.0.1:${REDIS_PORT}"
else
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for "Redis" sh -c "redis-cli -h 127.0.0.1 -p $REDIS_PORT ping | grep -q PONG"

# The test database and the vector extension in it.
psql_q() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(psql_q -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '${PG_DB}'")" != "1" ]; then
  log "creating database ${PG_DB}"
  psql_q -d postgres -c "CREATE DATABASE \"${PG_DB}\""
fi
psql_q -d "$PG_DB" -c 'CREATE EXTENSION IF NOT EXISTS vector'
log "pgvector $(psql_q -d "$PG_DB" -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'") enabled in database ${PG_DB}"
