-- Kill switches (issue #15). A switch's definition is type, variants,
-- default and rules (JSON text); its live state is "" (serve the
-- definition) or the variant flipped to. Every change is a row in
-- flag_revisions, written in the same transaction; the newest revision id
-- is the change mark other processes poll to see a change.
CREATE TABLE flags (
    key             TEXT PRIMARY KEY,
    service         TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    type            TEXT NOT NULL,
    variants        TEXT NOT NULL,
    default_variant TEXT NOT NULL,
    rules           TEXT NOT NULL DEFAULT '[]',
    enabled         INTEGER NOT NULL DEFAULT 1,
    state           TEXT NOT NULL DEFAULT '',
    incident        TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL,
    version         INTEGER NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL
);
CREATE INDEX flags_service ON flags (service, key);
CREATE TABLE flag_revisions (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    flag_key TEXT NOT NULL REFERENCES flags (key),
    version  INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    reason   TEXT NOT NULL DEFAULT '',
    incident TEXT NOT NULL DEFAULT '',
    from_val TEXT NOT NULL DEFAULT '',
    to_val   TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX flag_revisions_key ON flag_revisions (flag_key, version);
