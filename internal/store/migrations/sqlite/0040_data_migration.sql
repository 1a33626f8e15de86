-- firebreak migrate-data's progress (used in the PostgreSQL target; kept in
-- SQLite too so both schemas have the same steps).
CREATE TABLE data_migration (
    table_name TEXT PRIMARY KEY,
    row_count  INTEGER NOT NULL,
    copied_at  TEXT NOT NULL
);
