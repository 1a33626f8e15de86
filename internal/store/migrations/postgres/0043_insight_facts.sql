-- Insight facts: one narrow row per incident with what the insights page
-- measures, so a year of incidents is read as integers from one table
-- instead of timestamps parsed from five columns and joined to services.
-- Written in the same transaction as every change to the incident (and the
-- recurrence links), so it is never behind; filled for incidents recorded
-- before this step when the store is migrated (store.Migrate, in Go, with
-- the same code as the write path, so old and new rows agree).
--
-- Times are kept as Unix seconds and durations as whole seconds (NULL when
-- the incident has no such time, or the times are out of order). Months and
-- quarters are not stored: they depend on the organisation's time zone,
-- which the config may change, so the query places bucket boundaries.
-- services and cause_tags are the incident's lists joined with U+001F (a
-- control character that input rules keep out of names and tags).
CREATE TABLE insight_facts (
    incident_id   BIGINT PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    started_unix  BIGINT NOT NULL,
    resolved_unix BIGINT,
    grade         INTEGER NOT NULL,
    restricted    INTEGER NOT NULL DEFAULT 0,
    recurs        INTEGER NOT NULL DEFAULT 0,
    detection     TEXT NOT NULL DEFAULT '',
    services      TEXT NOT NULL DEFAULT '',
    cause_tags    TEXT NOT NULL DEFAULT '',
    detect_s      BIGINT,
    ack_s         BIGINT,
    mitigate_s    BIGINT,
    resolve_s     BIGINT
);
CREATE INDEX insight_facts_started ON insight_facts (started_unix);
CREATE INDEX insight_facts_resolved ON insight_facts (resolved_unix) WHERE resolved_unix IS NOT NULL;
-- Covering indexes for the action-item aggregates, so they are answered
-- from the index without reading the items' rows (titles and all): the open
-- items (counts by term and category, long-term items, overdue), those of
-- one term and category by age (the median age), and every item by when it
-- was opened and done (opened and done in a period, on time).
CREATE INDEX action_items_insight_open ON action_items (status, created_at, term, category, due_at, incident_id);
CREATE INDEX action_items_insight_age ON action_items (term, category, status, created_at, incident_id);
CREATE INDEX action_items_insight_span ON action_items (created_at, done_at, status, due_at, incident_id);
