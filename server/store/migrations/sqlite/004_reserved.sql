-- A placeholder on the notify branch only: version 4 belongs to the events branch (issue 18's outbox). Versions must
-- run without gaps (common.ts readMigrations), so this empty file holds the number until the merge replaces it.
SELECT 1;
