#!/usr/bin/env bash
# Load test of the REST API on PostgreSQL: serves the API (uvicorn, TRAINER_LOAD_WORKERS
# processes) over the database benchmarks/seed_load_db.py filled, runs benchmarks/locustfile.py
# headless, and prints p50/p95/p99 and failures per request type.
#
#   .venv/bin/python benchmarks/seed_load_db.py postgresql+psycopg://postgres@127.0.0.1:5432/trainer_load --recreate
#   benchmarks/load_test.sh [USERS=50] [DURATION=60s] [SPAWN_RATE=10]
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${1:-50}
DURATION=${2:-60s}
RATE=${3:-10}
DB=${TRAINER_LOAD_DB:-postgresql+psycopg://postgres@127.0.0.1:5432/trainer_load}
export TRAINER_LOAD_TOKENS=${TRAINER_LOAD_TOKENS:-/tmp/trainer-load-tokens.json}
# 4 processes on 2 cores: a keep-alive connection stays with the process that accepted it, and
# with 2 one of them took 70% of the requests (and a core) while the other idled.
WORKERS=${TRAINER_LOAD_WORKERS:-4}
PORT=${TRAINER_LOAD_PORT:-8811}
OUT=${TRAINER_LOAD_OUT:-/tmp/trainer-load}
[ -f "$TRAINER_LOAD_TOKENS" ] || { echo "no $TRAINER_LOAD_TOKENS: run benchmarks/seed_load_db.py first" >&2; exit 2; }

# Chats posted by an earlier run go, so every run starts from the seeded database.
.venv/bin/python - "$DB" <<'PY'
import sys
from sqlalchemy import create_engine, text
with create_engine(sys.argv[1]).begin() as connection:
    gone = connection.execute(text("DELETE FROM conversations WHERE external_id LIKE 'locust-%'"))
    print(f"removed {gone.rowcount} chats of an earlier run")
PY

export TRAINER_DATABASE_URL=$DB TRAINER_SECRET_KEY=${TRAINER_SECRET_KEY:-load-test-only-secret-not-for-production}
.venv/bin/uvicorn --factory load_app:app --app-dir benchmarks --host 127.0.0.1 --port "$PORT" \
    --workers "$WORKERS" --log-level warning --no-access-log --timeout-worker-healthcheck 60 \
    --timeout-keep-alive 75 &
# (uvicorn closes an idle connection after 5 s by default, just as an agent who waited 5 s sends
# its next request on it: a "connection reset" that a proxy's longer keep-alive never causes.)
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true' EXIT
# Until every worker answers (the port is bound before the app is imported).
up=0
for _ in $(seq 300); do
    curl -sf -m 2 "http://127.0.0.1:$PORT/api/v1/openapi.json" >/dev/null && up=$((up + 1))
    [ "$up" -ge 4 ] && break
    sleep 0.5
done
[ "$up" -ge 4 ] || { echo "the API did not start on port $PORT" >&2; exit 1; }

# Warm every worker up (first imports, the NLP pipeline, the rubric) so the figures measure
# serving, not starting: a few rounds of each request type.
.venv/bin/python - "http://127.0.0.1:$PORT" <<'PY'
import json, os, sys, uuid
import httpx
tokens = json.load(open(os.environ["TRAINER_LOAD_TOKENS"]))
auth = lambda kind: {"Authorization": f"Bearer {tokens[kind][0]['token']}"}
agent = tokens["agents"][0]
turns = [{"speaker": "customer", "text": "Hello, my parcel is late."},
         {"speaker": "agent", "text": "I'm sorry to hear that, let me check it for you."}]
with httpx.Client(base_url=sys.argv[1], timeout=300) as client:
    for _ in range(3 * int(os.environ.get("TRAINER_LOAD_WORKERS", "2"))):
        listed = client.get("/api/v1/conversations", headers=auth("reviewers")).json()
        client.get(f"/api/v1/conversations/{listed['items'][0]['conversation']}",
                   headers=auth("reviewers"))
        client.get("/api/v1/scorecards", params={"agent": agent["name"]},
                   headers={"Authorization": f"Bearer {agent['token']}"})
        posted = client.post("/api/v1/conversations", headers=auth("integrations"),
                             json={"id": f"locust-warm-{uuid.uuid4().hex}", "turns": turns})
        posted.raise_for_status()
print("warmed up")
PY

.venv/bin/locust -f benchmarks/locustfile.py --host "http://127.0.0.1:$PORT" --headless \
    -u "$USERS" -r "$RATE" -t "$DURATION" --stop-timeout 60 --csv "$OUT" --only-summary >"$OUT.log" 2>&1 || true

.venv/bin/python - "$OUT" "$USERS" "$DURATION" "$WORKERS" <<'PY'
import csv, sys
prefix, users, duration, workers = sys.argv[1:]
print(f"locust: {users} users for {duration}, API on {workers} uvicorn workers, PostgreSQL")
print(f"{'request':40} {'n':>6} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'max':>7} {'req/s':>6}")
for row in csv.DictReader(open(f"{prefix}_stats.csv")):
    name = row["Name"] if row["Type"] else "TOTAL"
    print(
        f"{name:40} {row['Request Count']:>6} {row['Failure Count']:>5} {row['50%']:>6} "
        f"{row['95%']:>6} {row['99%']:>6} {float(row['Max Response Time']):7.0f} "
        f"{float(row['Requests/s']):6.1f}"
    )
failures = list(csv.DictReader(open(f"{prefix}_failures.csv")))
for row in failures[:10]:
    print(f"  failure x{row['Occurrences']}: {row['Name']}: {row['Error'][:160]}")
PY
