-- How far the intake journal (internal/intake/journal) has been applied:
-- the offset after the last record whose signals are stored, written in the
-- same transaction as those signals, so a restart neither loses nor repeats
-- a record. One row; absent until a journal is first used.
CREATE TABLE intake_journal (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    applied BIGINT NOT NULL
);
