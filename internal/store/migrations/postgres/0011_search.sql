-- The full-text index of incidents and their reports. Tokens are made in Go
-- (internal/search) and stored as a tsvector literal, so both databases
-- match alike and no text-search configuration or locale is involved.
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

-- Filters: "service:NAME" and "cause:TAG" per document.
CREATE TABLE search_facets (
    facet       TEXT NOT NULL,
    incident_id BIGINT NOT NULL REFERENCES search_docs (incident_id) ON DELETE CASCADE,
    PRIMARY KEY (facet, incident_id)
);
CREATE INDEX search_facets_doc ON search_facets (incident_id);
