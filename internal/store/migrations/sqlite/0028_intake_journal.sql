-- How far each intake journal (internal/intake/journal; one per replica
-- that runs with --intake-journal, named by the id in its directory) has
-- been applied: the offset after the last record whose signals are stored,
-- written in the same transaction as those signals, so a restart neither
-- loses nor repeats a record.
CREATE TABLE intake_journal (
    journal TEXT PRIMARY KEY,
    applied BIGINT NOT NULL
);
