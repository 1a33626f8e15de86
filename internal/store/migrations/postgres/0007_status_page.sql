-- The status page reads open and recently resolved incidents by visibility,
-- and the update cadence check reads each open incident's newest event of a
-- kind (its last status update, its last reminder).
CREATE INDEX incidents_visibility_status ON incidents (visibility, status, id);
CREATE INDEX timeline_events_kind ON timeline_events (incident_id, kind, id);
