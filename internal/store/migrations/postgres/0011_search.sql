-- The full-text index of incidents and their reports. Tokens are made in Go
-- (internal/search) and stored as a tsvector literal, so both databases
-- match alike and no text-search configuration or locale is involved. The
-- vector also holds the filters (service, cause tag) and the id's bucket as
-- lexemes (store/search.go).
CREATE TABLE search_docs (
    incident_id BIGINT PRIMARY KEY REFERENCES incidents (id),
    title       TEXT NOT NULL,
    snippet     TEXT NOT NULL,
    grade       INTEGER NOT NULL,
    status      TEXT NOT NULL,
    visibility  TEXT NOT NULL,
    has_report  INTEGER NOT NULL DEFAULT 0,
    started_at  TIMESTAMPTZ NOT NULL,
    tsv         TSVECTOR NOT NULL
);
CREATE INDEX search_docs_started ON search_docs (started_at);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);

