-- SQLite's step 0053 adds generated columns that give each insight fact
-- row and each open action item as one text value, because its pure-Go
-- driver pays per column read. PostgreSQL's driver does not, and the
-- insights build the same text in the query there (store/insights.go), so
-- nothing changes in this database; the step keeps both schemas at the
-- same version.
SELECT 1;
