-- A placeholder on the recon2 branch only: version 4 belongs to the events branch (issue 18's outbox), merged
-- beside this branch's 005. Versions must run without gaps (common.ts readMigrations), so this empty file holds
-- the number until the merge replaces it with the events branch's 004.
SELECT 1;
