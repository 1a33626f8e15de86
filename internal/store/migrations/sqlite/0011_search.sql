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

-- Filters: "service:NAME" and "cause:TAG" per document.
CREATE TABLE search_facets (
    facet       TEXT NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES search_docs (incident_id) ON DELETE CASCADE,
    PRIMARY KEY (facet, incident_id)
);
CREATE INDEX search_facets_doc ON search_facets (incident_id);

-- Contentless: only the index is kept (the text is in search_docs and the
-- reports), rows can still be deleted for a re-index.
CREATE VIRTUAL TABLE search_fts USING fts5 (
    title, meta, body,
    tokenize = 'unicode61 remove_diacritics 0',
    content = '', contentless_delete = 1
);
