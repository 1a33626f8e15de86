-- Status changes of an action item not yet passed to its tracker: counted
-- up in the transaction that stores the change and its push job, down when
-- a push succeeds. While any are pending, a poll or webhook does not take
-- the tracker's (older) status over the item's.
ALTER TABLE action_items ADD COLUMN tracker_pending INTEGER NOT NULL DEFAULT 0;
