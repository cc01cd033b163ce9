-- A placeholder on the notify branch only: version 5 belongs to the recon2 branch (issue 19's reconciliation runs).
-- Versions must run without gaps (common.ts readMigrations), so this empty file holds the number until the merge replaces it.
SELECT 1;
