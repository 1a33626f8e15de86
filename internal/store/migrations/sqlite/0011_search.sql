-- The full-text index of incidents and their reports. Tokens are made in Go
-- (internal/search) so both databases match alike; FTS5 stores them.
CREATE TABLE search_docs (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
    title       TEXT NOT NULL,
    snippet     TEXT NOT NULL,
    grade       INTEGER NOT NULL,
    status      TEXT NOT NULL,
    visibility  TEXT NOT NULL,
    has_report  INTEGER NOT NULL DEFAULT 0,
    started_at  TEXT NOT NULL
);
CREATE INDEX search_docs_started ON search_docs (started_at);


-- Contentless: only the index is kept (the text is in search_docs and the
-- reports), rows can still be deleted for a re-index. The facets column
-- holds the filters as tokens (store/search.go, facetToken).
CREATE VIRTUAL TABLE search_fts USING fts5 (
    title, meta, body, facets,
    tokenize = 'unicode61 remove_diacritics 0',
    content = '', contentless_delete = 1
);
