-- Rate limits kept in the database (see the PostgreSQL migration): each row
-- is one counted event of one key within its scope. SQLite has one server,
-- so its live views need no notice from the database.
CREATE TABLE rate_events (
    id    INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (scope, key, at);
CREATE INDEX rate_events_at ON rate_events (at);

-- One row that the readiness check rewrites to prove the store can write:
-- a full disk refuses writes but not reads, so a ping does not notice it.
CREATE TABLE store_probe (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL
);
