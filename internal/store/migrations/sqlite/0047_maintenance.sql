-- Maintenance windows and alert silences (issue #19). A window is one-off
-- (starts_at to ends_at) or weekly (recurrence, JSON, with optional
-- bounds); a silence mutes signals its label matchers match until ends_at.
-- Either may be ended early (ended_at). Every create and end appends to
-- maintenance_changes: its newest id is the change mark other replicas
-- poll to refresh their in-memory set of what is active.
CREATE TABLE maintenance_windows (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    services   TEXT NOT NULL DEFAULT '[]',
    matchers   TEXT NOT NULL DEFAULT '[]',
    starts_at  TEXT,
    ends_at    TEXT,
    recurrence TEXT NOT NULL DEFAULT '',
    public     INTEGER NOT NULL DEFAULT 0,
    source     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    ended_at   TEXT,
    ended_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX maintenance_windows_live ON maintenance_windows (id) WHERE ended_at IS NULL;
CREATE TABLE silences (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    matchers   TEXT NOT NULL,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    comment    TEXT NOT NULL,
    signal_id  INTEGER,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    ended_at   TEXT,
    ended_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX silences_ends ON silences (ends_at);
CREATE TABLE maintenance_changes (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    at   TEXT NOT NULL,
    ref  TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL
);
-- A suppressed signal is routed (it left the backlog) but joined nothing:
-- suppressed_by names the window or silence, suppressed_until when it
-- ends, after which the signal's next firing is routed afresh.
ALTER TABLE signals ADD COLUMN suppressed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE signals ADD COLUMN suppressed_until TEXT;
CREATE INDEX signals_suppressed ON signals (suppressed_by, id) WHERE suppressed_by <> '';
