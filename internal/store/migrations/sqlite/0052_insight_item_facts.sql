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
-- Triggers keep the sums current on every insert, change and removal of
-- an item, whichever code path writes it; store.BackfillInsightFacts fills
-- them for the facts rows it writes.
ALTER TABLE insight_facts ADD COLUMN item_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE insight_facts ADD COLUMN item_opened_min INTEGER;
ALTER TABLE insight_facts ADD COLUMN item_opened_max INTEGER;
ALTER TABLE insight_facts ADD COLUMN item_done_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE insight_facts ADD COLUMN item_done_min INTEGER;
ALTER TABLE insight_facts ADD COLUMN item_done_max INTEGER;
ALTER TABLE insight_facts ADD COLUMN item_done_due_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE insight_facts ADD COLUMN item_done_on_time_n INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER action_items_facts_insert AFTER INSERT ON action_items BEGIN
    UPDATE insight_facts SET (item_n, item_opened_min, item_opened_max, item_done_n, item_done_min, item_done_max, item_done_due_n, item_done_on_time_n) = (
        SELECT COUNT(*), MIN(unixepoch(created_at)), MAX(unixepoch(created_at)),
            COUNT(CASE WHEN status = 'done' THEN done_at END),
            MIN(CASE WHEN status = 'done' THEN unixepoch(done_at) END),
            MAX(CASE WHEN status = 'done' THEN unixepoch(done_at) END),
            COUNT(CASE WHEN status = 'done' AND done_at IS NOT NULL THEN due_at END),
            COUNT(CASE WHEN status = 'done' AND done_at <= due_at THEN 1 END)
        FROM action_items WHERE incident_id = NEW.incident_id)
    WHERE incident_id = NEW.incident_id;
END;

CREATE TRIGGER action_items_facts_update AFTER UPDATE OF incident_id, created_at, done_at, due_at, status ON action_items BEGIN
    UPDATE insight_facts SET (item_n, item_opened_min, item_opened_max, item_done_n, item_done_min, item_done_max, item_done_due_n, item_done_on_time_n) = (
        SELECT COUNT(*), MIN(unixepoch(created_at)), MAX(unixepoch(created_at)),
            COUNT(CASE WHEN status = 'done' THEN done_at END),
            MIN(CASE WHEN status = 'done' THEN unixepoch(done_at) END),
            MAX(CASE WHEN status = 'done' THEN unixepoch(done_at) END),
            COUNT(CASE WHEN status = 'done' AND done_at IS NOT NULL THEN due_at END),
            COUNT(CASE WHEN status = 'done' AND done_at <= due_at THEN 1 END)
        FROM action_items WHERE incident_id = insight_facts.incident_id)
    WHERE incident_id IN (OLD.incident_id, NEW.incident_id);
END;

CREATE TRIGGER action_items_facts_delete AFTER DELETE ON action_items BEGIN
    UPDATE insight_facts SET (item_n, item_opened_min, item_opened_max, item_done_n, item_done_min, item_done_max, item_done_due_n, item_done_on_time_n) = (
        SELECT COUNT(*), MIN(unixepoch(created_at)), MAX(unixepoch(created_at)),
            COUNT(CASE WHEN status = 'done' THEN done_at END),
            MIN(CASE WHEN status = 'done' THEN unixepoch(done_at) END),
            MAX(CASE WHEN status = 'done' THEN unixepoch(done_at) END),
            COUNT(CASE WHEN status = 'done' AND done_at IS NOT NULL THEN due_at END),
            COUNT(CASE WHEN status = 'done' AND done_at <= due_at THEN 1 END)
        FROM action_items WHERE incident_id = OLD.incident_id)
    WHERE incident_id = OLD.incident_id;
END;

UPDATE insight_facts SET (item_n, item_opened_min, item_opened_max, item_done_n, item_done_min, item_done_max, item_done_due_n, item_done_on_time_n) = (
    SELECT COUNT(*), MIN(unixepoch(created_at)), MAX(unixepoch(created_at)),
        COUNT(CASE WHEN status = 'done' THEN done_at END),
        MIN(CASE WHEN status = 'done' THEN unixepoch(done_at) END),
        MAX(CASE WHEN status = 'done' THEN unixepoch(done_at) END),
        COUNT(CASE WHEN status = 'done' AND done_at IS NOT NULL THEN due_at END),
        COUNT(CASE WHEN status = 'done' AND done_at <= due_at THEN 1 END)
    FROM action_items WHERE incident_id = insight_facts.incident_id);
