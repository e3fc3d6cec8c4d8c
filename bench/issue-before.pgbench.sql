-- One REST issue as hallq sent it before issue 14 part 3 (for comparison): the pool's pre-ping,
-- the request-id lookup, a plain ticket insert, the prediction's two reads; 11 round trips.
-- Variables and their filling as in issue.pgbench.sql.
\set rid random(1, 9000000000000000)
\set shard random(0, 7)
SELECT 1;
BEGIN;
SELECT tickets.id FROM tickets WHERE tickets.hall = :hall AND tickets.requester = 'visitor:127.0.0.1' AND tickets.request_id = 'w' || :rid;
UPDATE day_counters SET last=(day_counters.last + 1) WHERE day_counters.hall = :hall AND day_counters.day = :day::DATE AND day_counters.prefix = :prefix RETURNING day_counters.last \gset
INSERT INTO tickets (hall, public_id, day, prefix, seq, number, priority, requested_service_code, issued_at, kiosk, request_id, requester, project_code, client) VALUES (:hall, 'p' || :rid, :day::DATE, :prefix, :last, :prefix || lpad(:last::text, 3, '0'), 'normal', :service, now(), NULL, 'w' || :rid, 'visitor:127.0.0.1', NULL, '127.0.0.1') RETURNING tickets.id AS ticket_id \gset
INSERT INTO steps (hall, ticket_id, n, day, service_code, priority, queued_at, entered_at, status, recalls) VALUES (:hall, :ticket_id, 1, :day::DATE, :desk, 'normal', now(), now(), 'waiting', 0) RETURNING steps.id;
INSERT INTO events (hall, at, kind, actor, ticket_id, window_id, data) VALUES (:hall, now(), 'issued', 'anonymous:127.0.0.1', :ticket_id, NULL, ('{"number": "' || :prefix || lpad(:last::text, 3, '0') || '", "service": "' || :service || '", "first_step": "' || :desk || '", "priority": "normal", "kiosk": null}')::json) RETURNING events.id;
SELECT windows.id, steps.service_code, steps.called_at, steps.started_at FROM windows LEFT OUTER JOIN steps ON steps.hall = windows.hall AND steps.window_id = windows.id AND (steps.status = 'called' OR steps.status = 'serving') WHERE windows.hall = :hall AND windows.active AND windows.state = 'open';
SELECT steps.id, steps.service_code, steps.priority, steps.queued_at, steps.target_window_id FROM steps WHERE steps.hall = :hall AND steps.status = 'waiting' AND steps.day >= :day::DATE AND (steps.service_code = ANY (:related::varchar[]) OR steps.target_window_id = ANY (:reach::int[]));
UPDATE board_versions SET version=(board_versions.version + 1) WHERE board_versions.hall = :hall AND board_versions.zone_code = :zone AND board_versions.shard = :shard;
COMMIT;
