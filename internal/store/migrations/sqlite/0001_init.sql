-- Users, tokens, incidents and their append-only timeline.
-- Times are TEXT in a fixed-width UTC form (see values.go), so text order is time order.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label        TEXT NOT NULL DEFAULT '',
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL DEFAULT '',
    grade           INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
    status          TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT 'manual',
    visibility      TEXT NOT NULL,
    labels          TEXT NOT NULL DEFAULT '{}',
    cause_tags      TEXT NOT NULL DEFAULT '[]',
    created_by      TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    detected_at     TEXT NOT NULL,
    acknowledged_at TEXT,
    mitigated_at    TEXT,
    resolved_at     TEXT,
    closed_at       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX incidents_status ON incidents (status, id);
CREATE INDEX incidents_grade ON incidents (grade, id);
CREATE INDEX incidents_started ON incidents (started_at);

CREATE TABLE incident_services (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    service     TEXT NOT NULL,
    PRIMARY KEY (incident_id, service)
);
CREATE INDEX incident_services_service ON incident_services (service, incident_id);

CREATE TABLE incident_roles (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    PRIMARY KEY (incident_id, role)
);

CREATE TABLE incident_members (
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    user_name   TEXT NOT NULL,
    PRIMARY KEY (incident_id, user_name)
);
CREATE INDEX incident_members_user ON incident_members (user_name, incident_id);

CREATE TABLE timeline_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_events_incident ON timeline_events (incident_id, id);

-- The timeline is append-only: the database itself refuses to change it.
CREATE TRIGGER timeline_events_no_update BEFORE UPDATE ON timeline_events
BEGIN
    SELECT RAISE(ABORT, 'timeline_events is append-only');
END;
CREATE TRIGGER timeline_events_no_delete BEFORE DELETE ON timeline_events
BEGIN
    SELECT RAISE(ABORT, 'timeline_events is append-only');
END;
