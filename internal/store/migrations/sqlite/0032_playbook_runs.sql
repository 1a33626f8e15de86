-- Runs of playbook action steps (internal/playbook). A run is stored, with
-- the exact request it sends (credentials left out: the worker adds them
-- from the config at send time), before the job that sends it. The worker
-- claims it (state queued -> running) in a committed update before sending,
-- so two workers or two retries never both send. The idempotency key is
-- unique: confirming the same preview twice finds the first run.
CREATE TABLE playbook_runs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id      BIGINT NOT NULL REFERENCES incidents (id),
    service          TEXT NOT NULL,
    playbook         TEXT NOT NULL,
    step             INTEGER NOT NULL,
    action           TEXT NOT NULL,
    title            TEXT NOT NULL DEFAULT '',
    method           TEXT NOT NULL,
    url              TEXT NOT NULL,
    headers          TEXT NOT NULL DEFAULT '{}',
    body             TEXT NOT NULL DEFAULT '',
    auth             TEXT NOT NULL DEFAULT '',
    auth_user        TEXT NOT NULL DEFAULT '',
    confirmed_by     TEXT NOT NULL,
    not_rollbackable TEXT NOT NULL DEFAULT '',
    state            TEXT NOT NULL,
    peer_status      INTEGER NOT NULL DEFAULT 0,
    peer_body        TEXT NOT NULL DEFAULT '',
    peer_location    TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    idempotency_key  TEXT NOT NULL UNIQUE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    finished_at      TEXT
);
CREATE INDEX playbook_runs_incident ON playbook_runs (incident_id, id);
