-- One REST issue (POST /api/v1/tickets with a request id, no token, no per-address limit) as
-- hallq sends it since issue 14 part 3: its statements in order, 8 round trips with BEGIN and
-- COMMIT (check with `bench/bench_issue_pg.py --statements`, which traces the wire). Run with
-- -M prepared (psycopg prepares a statement from its fifth run on). bench_issue_pg.py writes one
-- copy per kiosk service with :hall, :day, :service, :desk, :prefix, :zone, :related and :reach
-- filled in; by hand: pgbench -M prepared -D hall=district -D day=2026-12-04 -D service=tax
-- -D desk=tax -D prefix=T -D zone=general -D related='{tax}' -D reach='{20}' -f this file.
-- The tickets' times are now(), their public id and request id random (hallq makes them in
-- Python); hallq's IN lists are = ANY(array) here, the same plan.
\set rid random(1, 9000000000000000)
\set shard random(0, 7)
BEGIN;
-- queues.store.numbering.next_seq: the day's counter row exists after the first ticket
UPDATE day_counters SET last=(day_counters.last + 1) WHERE day_counters.hall = :hall AND day_counters.day = :day::DATE AND day_counters.prefix = :prefix RETURNING day_counters.last \gset
-- the ticket; its request id, if it named an earlier ticket, would insert nothing
INSERT INTO tickets (hall, public_id, day, prefix, seq, number, priority, requested_service_code, issued_at, kiosk, request_id, requester, project_code, client) VALUES (:hall, 'p' || :rid, :day::DATE, :prefix, :last, :prefix || lpad(:last::text, 3, '0'), 'normal', :service, now(), NULL, 'w' || :rid, 'visitor:127.0.0.1', NULL, '127.0.0.1') ON CONFLICT (hall, requester, request_id) DO NOTHING RETURNING tickets.id AS ticket_id \gset
INSERT INTO steps (hall, ticket_id, n, day, service_code, priority, queued_at, entered_at, status, recalls) VALUES (:hall, :ticket_id, 1, :day::DATE, :desk, 'normal', now(), now(), 'waiting', 0) RETURNING steps.id;
INSERT INTO events (hall, at, kind, actor, ticket_id, window_id, data) VALUES (:hall, now(), 'issued', 'anonymous:127.0.0.1', :ticket_id, NULL, ('{"number": "' || :prefix || lpad(:last::text, 3, '0') || '", "service": "' || :service || '", "first_step": "' || :desk || '", "priority": "normal", "kiosk": null}')::json) RETURNING events.id;
-- queues.line.load_snapshot: the open windows and the related waiting steps, one read
SELECT 0 AS kind, windows.id, steps.service_code, NULL AS priority, steps.called_at AS since, steps.started_at, NULL AS target_window_id FROM windows LEFT OUTER JOIN steps ON steps.hall = windows.hall AND steps.window_id = windows.id AND (steps.status = 'called' OR steps.status = 'serving') WHERE windows.hall = :hall AND windows.active AND windows.state = 'open' UNION ALL SELECT 1 AS kind, steps.id, steps.service_code, steps.priority, steps.queued_at, NULL AS anon_1, steps.target_window_id FROM steps WHERE steps.hall = :hall AND steps.status = 'waiting' AND steps.day >= :day::DATE AND (steps.service_code = ANY (:related::varchar[]) OR steps.target_window_id = ANY (:reach::int[]));
-- queues.store.events.bump: one of the zone's eight board version rows
UPDATE board_versions SET version=(board_versions.version + 1) WHERE board_versions.hall = :hall AND board_versions.zone_code = :zone AND board_versions.shard = :shard;
COMMIT;
