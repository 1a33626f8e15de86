-- Each incident's action items, summed up on its insight facts row, so the
-- insights count the items opened and done in a period from one row per
-- incident rather than a join per item: how many items it has and the
-- first and last time one was opened; how many are done (status 'done'
-- with a done time), the first and last done time, how many of those had a
-- due date and how many were done by it. Times are whole Unix seconds
-- (floored). An incident whose items all fall inside the period, or all
-- outside it, is counted from these; only one whose items straddle an end
-- of the period has its items read (store.InsightItemCounts).
--
-- A trigger keeps the sums current on every insert, change and removal of
-- an item, whichever code path writes it; store.BackfillInsightFacts fills
-- them for the facts rows it writes.
ALTER TABLE insight_facts
    ADD COLUMN item_n BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN item_opened_min BIGINT,
    ADD COLUMN item_opened_max BIGINT,
    ADD COLUMN item_done_n BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN item_done_min BIGINT,
    ADD COLUMN item_done_max BIGINT,
    ADD COLUMN item_done_due_n BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN item_done_on_time_n BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION insight_item_facts(inc BIGINT) RETURNS void LANGUAGE sql AS $$
    UPDATE insight_facts SET (item_n, item_opened_min, item_opened_max, item_done_n, item_done_min, item_done_max, item_done_due_n, item_done_on_time_n) = (
        SELECT COUNT(*),
            MIN(floor(extract(epoch FROM created_at))::bigint), MAX(floor(extract(epoch FROM created_at))::bigint),
            COUNT(done_at) FILTER (WHERE status = 'done'),
            MIN(floor(extract(epoch FROM done_at))::bigint) FILTER (WHERE status = 'done'),
            MAX(floor(extract(epoch FROM done_at))::bigint) FILTER (WHERE status = 'done'),
            COUNT(due_at) FILTER (WHERE status = 'done' AND done_at IS NOT NULL),
            COUNT(*) FILTER (WHERE status = 'done' AND done_at <= due_at)
        FROM action_items WHERE incident_id = inc)
    WHERE incident_id = inc;
$$;

CREATE FUNCTION action_items_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM insight_item_facts(OLD.incident_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.incident_id <> OLD.incident_id) THEN
        PERFORM insight_item_facts(NEW.incident_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER action_items_facts AFTER INSERT OR DELETE OR UPDATE OF incident_id, created_at, done_at, due_at, status ON action_items
    FOR EACH ROW EXECUTE FUNCTION action_items_facts();

SELECT insight_item_facts(incident_id) FROM insight_facts;
