-- Mitigated at: when an incident's impact stopped, apart from resolution.
-- The column has been in incidents since 0001 (settable only through a
-- PATCH); it is now set from the page, API, CLI and Slack and recorded on
-- the timeline (event "mitigated"). Insights measure time to mitigate over
-- the incidents that have one, so those are indexed by it.
CREATE INDEX incidents_mitigated ON incidents (mitigated_at) WHERE mitigated_at IS NOT NULL;
