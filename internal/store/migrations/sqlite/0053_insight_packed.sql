-- The insights read a year of incident facts and every open action item
-- on each cold request. With the pure-Go SQLite driver each column of each
-- row costs a round of driver calls (type, value, a Go string for text),
-- and at eleven columns per incident that was most of the read. Each fact
-- row and each open item is therefore also given as one text value, its
-- fields joined with U+001E (a control character the input rules keep out
-- of names, tags and times; services and tags keep their own U+001F), and
-- the insights read that one column (store/insights.go decodes it).
--
-- The values are generated columns, so they can never disagree with the
-- columns they are made of, whatever code writes the row: nothing else
-- writes them, nothing needs a backfill, and they take no room in the
-- table (VIRTUAL). They are stored in the indexes the reads walk, so the
-- value comes from the index entry rather than being rebuilt per row.
--
-- Facts: started_unix, incident_id, grade, recurs, detect_s, ack_s,
-- mitigate_s, resolve_s (empty when NULL), detection, services,
-- cause_tags.
ALTER TABLE insight_facts ADD COLUMN packed TEXT GENERATED ALWAYS AS (
    started_unix || char(30) || incident_id || char(30) || grade || char(30) || recurs || char(30) ||
    coalesce(detect_s, '') || char(30) || coalesce(ack_s, '') || char(30) ||
    coalesce(mitigate_s, '') || char(30) || coalesce(resolve_s, '') || char(30) ||
    detection || char(30) || services || char(30) || cause_tags) VIRTUAL;
DROP INDEX insight_facts_started;
CREATE INDEX insight_facts_started ON insight_facts (started_unix, restricted, grade, packed);

-- Open items: id, term, category, created_at, due_at (empty when NULL).
ALTER TABLE action_items ADD COLUMN insight_open TEXT GENERATED ALWAYS AS (
    id || char(30) || term || char(30) || category || char(30) || created_at || char(30) || coalesce(due_at, '')) VIRTUAL;
DROP INDEX action_items_insight_open;
CREATE INDEX action_items_insight_open ON action_items (status, created_at, incident_id, insight_open);

-- The other reads of a cold question, answered from indexes alone instead
-- of a table row per incident or review stage: the review stages of the
-- incidents resolved in a period (with the held time as Unix seconds,
-- which the "held in time" test compares; SQLite takes the indexed value
-- instead of parsing the text per row), and the action-item sums on the
-- facts rows (both the sums and the incidents whose items straddle an end
-- of the period).
DROP INDEX insight_facts_resolved;
CREATE INDEX insight_facts_resolved ON insight_facts (resolved_unix, restricted, grade) WHERE resolved_unix IS NOT NULL;
CREATE INDEX retrospectives_insight_held ON retrospectives (incident_id, held_at, unixepoch(held_at));
CREATE INDEX insight_facts_items ON insight_facts (item_n, restricted, grade, item_opened_min, item_opened_max,
    item_done_min, item_done_max, item_done_n, item_done_due_n, item_done_on_time_n) WHERE item_n > 0;
