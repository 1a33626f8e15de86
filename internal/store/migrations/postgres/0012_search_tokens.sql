-- Filters (service, cause tag) and each id's bucket become lexemes of the
-- document's tsvector instead of rows of search_facets, so the GIN index
-- answers them. The documents are dropped; the search backfill job (every
-- minute, 500 incidents a run) writes them again in the new form.
DROP TABLE search_facets;
DELETE FROM search_docs;
