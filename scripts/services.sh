#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis servers for tests and for trying the distributed crawl on one machine.
#
#   scripts/services.sh start [postgres|redis|all]   install if missing, start on free 127.0.0.1 ports
#   scripts/services.sh stop  [postgres|redis|all]   stop them and delete their data
#   scripts/services.sh env                          print the env file to `source`
#
# `start` is idempotent: a server that is already running is kept. Its URL is written to
# $SCS_SERVICES_DIR/env.sh (default /tmp/scs-services/env.sh) as
#   export SCS_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:<port>/postgres
#   export SCS_TEST_REDIS_URL=redis://127.0.0.1:<port>/0
# so a CI script can `source "$(scripts/services.sh env)"`. Packages come from Debian (apt-get runs only
# when a binary is missing). PostgreSQL refuses to run as root, so as root the cluster belongs to the
# `postgres` user the package creates. Data lives under the state directory, fsync off, trust auth on
# 127.0.0.1 only: these servers are for tests, never for data that matters.
set -euo pipefail

STATE_DIR="${SCS_SERVICES_DIR:-/tmp/scs-services}"
ENV_FILE="$STATE_DIR/env.sh"
PG_DIR="$STATE_DIR/postgres"
REDIS_DIR="$STATE_DIR/redis"

log() { echo "services: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=""
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$APT_UPDATED" ]; then
        as_root apt-get update -qq
        APT_UPDATED=1
    fi
    as_root apt-get install -y -qq --no-install-recommends "$@" >&2
}

free_port() {
    local python
    python="$(command -v python3 || true)"
    if [ -n "$python" ]; then
        "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
        return
    fi
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    log "no free port found"
    return 1
}

# Write or replace one `export NAME=value` line of the env file.
set_env() {
    local name="$1" value="$2"
    mkdir -p "$STATE_DIR"
    touch "$ENV_FILE"
    grep -v "^export $name=" "$ENV_FILE" >"$ENV_FILE.tmp" || true
    if [ -n "$value" ]; then
        echo "export $name=$value" >>"$ENV_FILE.tmp"
    fi
    mv "$ENV_FILE.tmp" "$ENV_FILE"
}

# ---------------------------------------------------------------------------------------- PostgreSQL

pg_bindir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

pg_owner() {
    if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
    local bindir port
    bindir="$(pg_bindir || true)"
    if [ -z "$bindir" ]; then
        log "installing postgresql"
        apt_install postgresql
        bindir="$(pg_bindir)"
    fi
    if [ -f "$PG_DIR/port" ] && as_pg "$bindir/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
        port="$(cat "$PG_DIR/port")"
        log "postgresql already running on 127.0.0.1:$port"
    else
        rm -rf "$PG_DIR"
        mkdir -p "$PG_DIR"
        chown "$(pg_owner)" "$PG_DIR"
        as_pg "$bindir/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --no-locale >"$PG_DIR/initdb.log"
        port="$(free_port)"
        echo "$port" >"$PG_DIR/port"
        as_pg "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start -o \
            "-p $port -c listen_addresses=127.0.0.1 -k $PG_DIR -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=200" >&2
        log "postgresql $("$bindir/postgres" --version | awk '{print $3}') started on 127.0.0.1:$port"
    fi
    set_env SCS_TEST_POSTGRES_URL "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
}

stop_postgres() {
    local bindir
    bindir="$(pg_bindir || true)"
    if [ -n "$bindir" ] && [ -d "$PG_DIR/data" ]; then
        as_pg "$bindir/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >&2 || true
    fi
    rm -rf "$PG_DIR"
    set_env SCS_TEST_POSTGRES_URL ""
}

# --------------------------------------------------------------------------------------------- Redis

start_redis() {
    local port
    if ! command -v redis-server >/dev/null; then
        log "installing redis-server"
        apt_install redis-server
    fi
    if [ -f "$REDIS_DIR/redis.pid" ] && kill -0 "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null; then
        port="$(cat "$REDIS_DIR/port")"
        log "redis already running on 127.0.0.1:$port"
    else
        rm -rf "$REDIS_DIR"
        mkdir -p "$REDIS_DIR"
        port="$(free_port)"
        echo "$port" >"$REDIS_DIR/port"
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
            --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log"
        for _ in $(seq 1 50); do
            [ -s "$REDIS_DIR/redis.pid" ] && break
            sleep 0.1
        done
        log "redis $(redis-server --version | awk '{print $3}' | sed 's/^v=//') started on 127.0.0.1:$port"
    fi
    set_env SCS_TEST_REDIS_URL "redis://127.0.0.1:$port/0"
}

stop_redis() {
    if [ -f "$REDIS_DIR/redis.pid" ]; then
        kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
    fi
    rm -rf "$REDIS_DIR"
    set_env SCS_TEST_REDIS_URL ""
}

# ---------------------------------------------------------------------------------------------- main

action="${1:-}"
which="${2:-all}"
case "$which" in
    postgres | redis | all) ;;
    *) log "unknown service '$which' (postgres, redis or all)"; exit 2 ;;
esac
case "$action" in
    start)
        [ "$which" = redis ] || start_postgres
        [ "$which" = postgres ] || start_redis
        cat "$ENV_FILE"
        ;;
    stop)
        [ "$which" = redis ] || stop_postgres
        [ "$which" = postgres ] || stop_redis
        ;;
    env)
        echo "$ENV_FILE"
        ;;
    *)
        echo "usage: $0 start|stop|env [postgres|redis|all]" >&2
        exit 2
        ;;
esac
