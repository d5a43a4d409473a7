#!/usr/bin/env bash
# The deployment smoke test without containers (see deploy/smoke.py): PostgreSQL + Redis on this
# machine, `trainer api` and 3 `trainer worker` processes, 500 chats and 5 calls through the API.
#   deploy/smoke.sh [--chats 500] [--calls 5] [--workers 3]
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python deploy/smoke.py "$@"
