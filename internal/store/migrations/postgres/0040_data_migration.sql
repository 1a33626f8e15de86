-- firebreak migrate-data's progress: a table is listed once all its rows are
-- copied, in the same transaction, so a copy that stops resumes after it.
CREATE TABLE data_migration (
    table_name TEXT PRIMARY KEY,
    row_count  BIGINT NOT NULL,
    copied_at  TIMESTAMPTZ NOT NULL
);
