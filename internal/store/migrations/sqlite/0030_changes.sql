-- The change registry: every deploy, config change, migration,
-- infrastructure change, flag flip and merged pull request, with whether it
-- can be rolled back and what decided that. A change is stored once per
-- source and external id, so a retried webhook delivery is not a second
-- change. services is the JSON list as read back; change_services holds one
-- row per service for the query every incident page runs: "changes of these
-- services in this window, newest first". A change with no service is kept
-- (mapped is false) for an admin to map.
CREATE TABLE changes (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    source           TEXT NOT NULL,
    external_id      TEXT NOT NULL,
    kind             TEXT NOT NULL,
    services         TEXT NOT NULL DEFAULT '[]',
    mapped           INTEGER NOT NULL DEFAULT 0,
    repository       TEXT NOT NULL DEFAULT '',
    environment      TEXT NOT NULL DEFAULT '',
    version          TEXT NOT NULL DEFAULT '',
    commit_sha       TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL DEFAULT '',
    author           TEXT NOT NULL DEFAULT '',
    at               TEXT NOT NULL,
    links            TEXT NOT NULL DEFAULT '[]',
    labels           TEXT NOT NULL DEFAULT '[]',
    rollbackable     INTEGER NOT NULL,
    reason           TEXT NOT NULL DEFAULT '',
    decided_by_pr    TEXT NOT NULL DEFAULT '',
    decided_by_label TEXT NOT NULL DEFAULT '',
    hint             TEXT NOT NULL DEFAULT '',
    recorded_at      TEXT NOT NULL,
    recorded_by      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX changes_source_external ON changes (source, external_id);
CREATE INDEX changes_at ON changes (at, id);
CREATE INDEX changes_repository ON changes (repository, kind, at) WHERE repository <> '';
CREATE INDEX changes_unmapped ON changes (id) WHERE NOT mapped;

CREATE TABLE change_services (
    service   TEXT NOT NULL,
    at        TEXT NOT NULL,
    change_id INTEGER NOT NULL REFERENCES changes (id),
    kind      TEXT NOT NULL,
    PRIMARY KEY (service, at, change_id)
);
CREATE INDEX change_services_kind ON change_services (service, kind, at, change_id);
