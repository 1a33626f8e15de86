-- Signals from monitoring, mail, chat and the report form, one row per
-- (source, fingerprint) however often it repeats; their routing groups; and a
-- bounded log of payloads that could not be read.
CREATE TABLE signals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    source        TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    status        TEXT NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    labels        TEXT NOT NULL DEFAULT '{}',
    reporter      TEXT NOT NULL DEFAULT '',
    starts_at     TEXT NOT NULL,
    resolved_at   TEXT,
    count         INTEGER NOT NULL DEFAULT 1,
    first_seen    TEXT NOT NULL,
    last_seen     TEXT NOT NULL,
    routed        INTEGER NOT NULL DEFAULT 0,
    service       TEXT NOT NULL DEFAULT '',
    grade         INTEGER NOT NULL DEFAULT 0,
    group_key     TEXT NOT NULL DEFAULT '',
    incident_id   INTEGER REFERENCES incidents (id),
    triage        TEXT NOT NULL DEFAULT '',
    triage_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (source, fingerprint)
);
CREATE INDEX signals_unrouted ON signals (routed, id);
CREATE INDEX signals_triage ON signals (triage, id);
CREATE INDEX signals_incident ON signals (incident_id, id);

CREATE TABLE signal_groups (
    group_key   TEXT PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id)
);

CREATE TABLE rejected_signals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
);
