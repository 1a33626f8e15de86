-- Reviews: the two retrospective stages, action items with their tracker
-- links, the reminders and escalations given, and recurrence matches.
CREATE TABLE retrospectives (
    incident_id  INTEGER NOT NULL REFERENCES incidents (id),
    stage        TEXT NOT NULL,
    scheduled_at TEXT,
    facilitator  TEXT NOT NULL DEFAULT '',
    attendees    TEXT NOT NULL DEFAULT '[]',
    notes        TEXT NOT NULL DEFAULT '',
    narrative    TEXT NOT NULL DEFAULT '{}',
    held_at      TEXT,
    updated_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (incident_id, stage)
);

CREATE TABLE action_items (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id       INTEGER NOT NULL REFERENCES incidents (id),
    stage             TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    category          TEXT NOT NULL,
    term              TEXT NOT NULL,
    owner             TEXT NOT NULL,
    due_at            TEXT,
    status            TEXT NOT NULL,
    task_force        TEXT NOT NULL DEFAULT '',
    tracker           TEXT NOT NULL DEFAULT '',
    tracker_key       TEXT NOT NULL DEFAULT '',
    tracker_url       TEXT NOT NULL DEFAULT '',
    tracker_state     TEXT NOT NULL DEFAULT '',
    tracker_error     TEXT NOT NULL DEFAULT '',
    tracker_synced_at TEXT,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    done_at           TEXT
);
CREATE INDEX action_items_incident ON action_items (incident_id, id);
CREATE INDEX action_items_open ON action_items (status, term, id);
CREATE INDEX action_items_due ON action_items (status, due_at);
CREATE INDEX action_items_tracker ON action_items (tracker, tracker_key);
CREATE INDEX action_items_category ON action_items (category, title);

CREATE TABLE action_item_notices (
    item_id   INTEGER NOT NULL REFERENCES action_items (id),
    key       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject   TEXT NOT NULL,
    body      TEXT NOT NULL,
    given_at  TEXT NOT NULL,
    PRIMARY KEY (item_id, key)
);

CREATE TABLE incident_recurrences (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    earlier_id  INTEGER NOT NULL REFERENCES incidents (id),
    reason      TEXT NOT NULL,
    score       REAL NOT NULL,
    shared      TEXT NOT NULL DEFAULT '[]',
    found_at    TEXT NOT NULL,
    PRIMARY KEY (incident_id, earlier_id)
);
CREATE INDEX incidents_updated ON incidents (updated_at);

-- When recurrence was last looked for, as the incident's updated_at then:
-- an incident is looked at again only once it has changed.
CREATE TABLE recurrence_checks (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
    checked_at  TEXT NOT NULL
);
