#!/usr/bin/env bash
# One command on a fresh machine: install, start the services the tests need (PostgreSQL, Redis,
# Chromium), lint, type-check and run the whole suite on SQLite and PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/install-browser.sh >/dev/null
# Servers of this run only, in a directory of their own: servers someone started by hand are left alone.
SCS_SERVICES_DIR="$(mktemp -d /tmp/scs-test-services.XXXXXX)"
chmod 755 "$SCS_SERVICES_DIR"  # the PostgreSQL server runs as the postgres user
export SCS_SERVICES_DIR
bash scripts/services.sh start all >/dev/null
trap 'bash scripts/services.sh stop all >/dev/null 2>&1 || true; rm -rf "$SCS_SERVICES_DIR"' EXIT
# shellcheck disable=SC1090
source "$(bash scripts/services.sh env)"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
