-- Status changes of an action item not yet passed to its tracker: counted
-- up in the transaction that stores the change and its push job, down when
-- a push succeeds. While any are pending, a poll or webhook does not take
-- the tracker's (older) status over the item's.
ALTER TABLE action_items ADD COLUMN tracker_pending INTEGER NOT NULL DEFAULT 0;

-- Reminders and escalations are given once per due date: each notice
-- records the due date it was given for, and its key names it, so an item
-- whose due date moves is reminded and escalated again. Notices given
-- before take the item's due date as it stands now.
ALTER TABLE action_item_notices ADD COLUMN due_at TIMESTAMPTZ;
UPDATE action_item_notices n SET due_at = a.due_at FROM action_items a WHERE a.id = n.item_id;
UPDATE action_item_notices SET key = key || ':' || to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') WHERE due_at IS NOT NULL;
