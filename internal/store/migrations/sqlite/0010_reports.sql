-- Incident reports: one per incident, every save kept as a revision, every
-- e-mail share recorded. Sections are JSON text by template key.
CREATE TABLE reports (
    incident_id     INTEGER PRIMARY KEY REFERENCES incidents (id),
    owner           TEXT NOT NULL,
    lang            TEXT NOT NULL,
    revision        INTEGER NOT NULL,
    sections        TEXT NOT NULL,
    tbd_since       TEXT NOT NULL DEFAULT '{}',
    tbd_count       INTEGER NOT NULL DEFAULT 0,
    due_at          TEXT NOT NULL,
    first_shared_at TEXT,
    shared_revision INTEGER NOT NULL DEFAULT 0,
    reminded_at     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
-- Reports that need work: TBD sections or a first report not shared yet.
CREATE INDEX reports_pending ON reports (due_at) WHERE tbd_count > 0 OR first_shared_at IS NULL;

CREATE TABLE report_revisions (
    incident_id INTEGER NOT NULL REFERENCES reports (incident_id),
    number      INTEGER NOT NULL,
    author      TEXT NOT NULL,
    at          TEXT NOT NULL,
    sections    TEXT NOT NULL,
    PRIMARY KEY (incident_id, number)
);

CREATE TABLE report_shares (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES reports (incident_id),
    revision    INTEGER NOT NULL,
    by_user     TEXT NOT NULL,
    at          TEXT NOT NULL,
    recipients  TEXT NOT NULL,
    changes     INTEGER NOT NULL
);
CREATE INDEX report_shares_incident ON report_shares (incident_id, id);
