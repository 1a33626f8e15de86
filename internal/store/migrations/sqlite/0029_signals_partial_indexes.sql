-- Routing's backlog and the triage inbox are found through indexes of just
-- those signals. A storm's signals, routed into their incident as they are
-- stored, then write no entry in either, where before every signal wrote
-- one in each (and routing moved it).
DROP INDEX signals_unrouted;
CREATE INDEX signals_unrouted ON signals (id) WHERE routed = 0;
DROP INDEX signals_triage;
CREATE INDEX signals_triage ON signals (triage, id) WHERE triage <> '';
