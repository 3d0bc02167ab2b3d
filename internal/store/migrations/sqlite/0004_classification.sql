-- The classification vocabulary on incidents (docs/CLASSIFICATION.md): RSIT class and type,
-- the ICO's personal-data-breach type, the severity grade, the CIA impacts with notes, the
-- TLP and PAP markings, and what Vigil suggested when the report arrived.
ALTER TABLE incidents ADD COLUMN rsit_class TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN rsit_type TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN ico_type TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN severity_scheme TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN severity_category TEXT NOT NULL DEFAULT '';
-- 1 is the most severe; ungraded incidents sort after every category (domain.UngradedRank).
ALTER TABLE incidents ADD COLUMN severity_rank INTEGER NOT NULL DEFAULT 1000000;
ALTER TABLE incidents ADD COLUMN confidentiality INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN confidentiality_note TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN integrity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN integrity_note TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN availability INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN availability_note TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN tlp TEXT NOT NULL DEFAULT 'amber';
ALTER TABLE incidents ADD COLUMN pap TEXT NOT NULL DEFAULT 'amber';
-- JSON of classify.Suggestion; '' when none was made. It holds no personal data.
ALTER TABLE incidents ADD COLUMN suggestion TEXT NOT NULL DEFAULT '';

-- The triage queue: class priority (seed 001 §4.2), then severity, then age.
DROP INDEX incidents_priority;
CREATE INDEX incidents_priority ON incidents(org_id, class_rank, severity_rank, reported_at, id);
