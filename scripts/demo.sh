#!/usr/bin/env bash
# One command on a fresh machine: install, then crawl every source from the offline mirror into SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/scs demo "$@"
