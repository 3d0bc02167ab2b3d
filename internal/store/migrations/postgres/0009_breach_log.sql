-- The breach log is read in order of awareness (else discovery, else recording): this index
-- lets it stream in that order without sorting every entry first, and serves its period filter.
CREATE INDEX incidents_breach_log ON incidents(org_id, (COALESCE(aware_at, discovered_at, reported_at)), id);
