-- Personal-data breach assessments (each a numbered version that keeps the facts, the annex
-- two answers and the engine's recommendation) and the human decisions taken on them, with
-- their sign-off.
CREATE TABLE breach_assessments (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    version     INTEGER NOT NULL,
    facts       TEXT NOT NULL,
    annex       TEXT NOT NULL DEFAULT '{}',
    decision    TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX breach_assessments_version ON breach_assessments(incident_id, version);

CREATE TABLE breach_decisions (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL,
    incident_id        INTEGER NOT NULL REFERENCES incidents(id),
    assessment_version INTEGER NOT NULL,
    accepted           INTEGER NOT NULL,
    notify_authority   TEXT NOT NULL,
    notify_subjects    INTEGER NOT NULL,
    justification      TEXT NOT NULL DEFAULT '',
    decided_by         TEXT NOT NULL,
    decided_at         INTEGER NOT NULL,
    approval_state     TEXT NOT NULL CHECK (approval_state IN ('not_needed', 'pending', 'approved', 'rejected')),
    approved_by        TEXT NOT NULL DEFAULT '',
    approved_at        INTEGER,
    approval_comment   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX breach_decisions_incident ON breach_decisions(incident_id, id);
