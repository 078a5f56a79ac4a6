#!/usr/bin/env bash
# One command on a fresh machine: install, start the services the tests need (PostgreSQL, Redis,
# Chromium), lint, type-check and run the whole suite on SQLite and PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/install-browser.sh >/dev/null
bash scripts/services.sh start all >/dev/null
trap 'bash scripts/services.sh stop all >/dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1090
source "$(bash scripts/services.sh env)"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
