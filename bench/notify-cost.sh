#!/usr/bin/env bash
# What NOTIFY costs a writing transaction (docs/benchmarks.md, "Push to screens"): the same
# small transaction (two row updates) by 8 pgbench clients, plain; with a pg_notify inside it
# (PostgreSQL then commits notifying transactions one at a time); and plain again while one
# client announces 1,000 notifications a second beside it, each its own transaction with
# synchronous_commit off (how queues/store/feed.py announces).
#   bash bench/notify-cost.sh [postgresql://postgres@127.0.0.1:5432/test]
set -euo pipefail
url=${1:-postgresql://postgres@127.0.0.1:5432/test}
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | head -n 1)
here=$(mktemp -d)
trap 'rm -rf "$here"' EXIT
psql -q "$url" -c "CREATE TABLE IF NOT EXISTS notify_cost (id int PRIMARY KEY, v bigint);
  INSERT INTO notify_cost SELECT g, 0 FROM generate_series(1, 100) g ON CONFLICT DO NOTHING;"
cat > "$here/plain.sql" <<'SQL'
\set k random(1, 100)
BEGIN;
UPDATE notify_cost SET v = v + 1 WHERE id = :k;
INSERT INTO notify_cost VALUES (1000 + :client_id, 0) ON CONFLICT (id) DO UPDATE SET v = notify_cost.v + 1;
COMMIT;
SQL
cat > "$here/inside.sql" <<'SQL'
\set k random(1, 100)
BEGIN;
UPDATE notify_cost SET v = v + 1 WHERE id = :k RETURNING pg_notify('hallq_board_cost', 'main a ' || :k || ' ' || v);
INSERT INTO notify_cost VALUES (1000 + :client_id, 0) ON CONFLICT (id) DO UPDATE SET v = notify_cost.v + 1;
COMMIT;
SQL
cat > "$here/beside.sql" <<'SQL'
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT pg_notify('hallq_board_cost', 'main a 1 ' || :client_id);
COMMIT;
SQL
run() { "$pgbench" -n -c 8 -j 2 -T 8 -f "$1" "$url" 2>/dev/null | grep -o 'tps = [0-9.]*'; }
echo "plain:                 $(run "$here/plain.sql")"
echo "pg_notify inside:      $(run "$here/inside.sql")"
"$pgbench" -n -c 1 -T 8 -R 1000 -f "$here/beside.sql" "$url" >/dev/null 2>&1 &
echo "plain, 1,000/s beside: $(run "$here/plain.sql")"
wait
psql -q "$url" -c "DROP TABLE notify_cost"
