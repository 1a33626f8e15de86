-- Each search document records the version of the tokens it was written
-- with (search.TokenVersion). When the tokenizer changes, the documents stay
-- searchable and the search backfill job (every minute, 500 incidents a run)
-- rewrites the older ones; Unindexed lists them after the missing ones.
-- Documents before this step were written with version 1.
ALTER TABLE search_docs ADD COLUMN tokens INTEGER NOT NULL DEFAULT 1;
CREATE INDEX search_docs_tokens ON search_docs (tokens, incident_id);
