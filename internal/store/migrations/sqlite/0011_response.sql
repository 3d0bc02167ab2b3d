-- Incident response (issue 8): the annex one assessment, containment / recovery / further /
-- improvement actions, approval requests, the lessons-learnt review, the restricted people
-- matters record, and playbooks with the checklists instantiated from them.

-- Annex one: risk to the organisation and who should be informed (one row per incident).
CREATE TABLE response_assessments (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),
    org_id      INTEGER NOT NULL,
    risk        TEXT NOT NULL DEFAULT '',
    inform      TEXT NOT NULL DEFAULT '',
    updated_by  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE incident_actions (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL,
    incident_id        INTEGER NOT NULL REFERENCES incidents(id),
    kind               TEXT NOT NULL CHECK (kind IN ('containment', 'recovery', 'further', 'improvement')),
    title              TEXT NOT NULL,
    owner_id           INTEGER REFERENCES users(id),
    due_at             INTEGER,
    status             TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    evidence           TEXT NOT NULL DEFAULT '',
    attachment_id      INTEGER REFERENCES attachments(id),
    effectiveness      TEXT NOT NULL DEFAULT '' CHECK (effectiveness IN ('', 'effective', 'partly', 'not_effective')),
    effectiveness_note TEXT NOT NULL DEFAULT '',
    created_by         TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    done_at            INTEGER
);
CREATE INDEX incident_actions_incident ON incident_actions(incident_id, id);
-- "My actions" and the overdue markers read open actions by owner and by due date.
CREATE INDEX incident_actions_open ON incident_actions(owner_id, due_at) WHERE status = 'open';

CREATE TABLE approvals (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL,
    incident_id     INTEGER NOT NULL REFERENCES incidents(id),
    kind            TEXT NOT NULL,
    summary         TEXT NOT NULL,
    payload         TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'withdrawn')),
    requested_by_id INTEGER NOT NULL DEFAULT 0,
    requested_by    TEXT NOT NULL,
    requested_at    INTEGER NOT NULL,
    decided_by      TEXT NOT NULL DEFAULT '',
    decided_at      INTEGER,
    comment         TEXT NOT NULL DEFAULT '',
    applied_at      INTEGER
);
CREATE INDEX approvals_pending ON approvals(org_id, state, id);
CREATE INDEX approvals_incident ON approvals(incident_id, id);

CREATE TABLE incident_reviews (
    incident_id     INTEGER PRIMARY KEY REFERENCES incidents(id),
    org_id          INTEGER NOT NULL,
    assets_reviewed INTEGER NOT NULL DEFAULT 0,
    assets_note     TEXT NOT NULL DEFAULT '',
    policies_reviewed INTEGER NOT NULL DEFAULT 0,
    policies_note   TEXT NOT NULL DEFAULT '',
    training_reviewed INTEGER NOT NULL DEFAULT 0,
    training_note   TEXT NOT NULL DEFAULT '',
    went_well       TEXT NOT NULL DEFAULT '',
    went_badly      TEXT NOT NULL DEFAULT '',
    completed       INTEGER NOT NULL DEFAULT 0,
    completed_by    TEXT NOT NULL DEFAULT '',
    completed_at    INTEGER,
    waived          INTEGER NOT NULL DEFAULT 0,
    waiver_reason   TEXT NOT NULL DEFAULT '',
    waived_by       TEXT NOT NULL DEFAULT '',
    waived_at       INTEGER,
    updated_by      TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- People matters (seed 001 §5.3–5.4): every save is a new row, so the restricted history is
-- kept here; the record of events only says that the section changed.
CREATE TABLE people_matters (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    version     INTEGER NOT NULL,
    support     TEXT NOT NULL DEFAULT '',
    conduct     TEXT NOT NULL DEFAULT '',
    continuity  TEXT NOT NULL DEFAULT '',
    updated_by  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX people_matters_version ON people_matters(incident_id, version);

-- An organisation's own playbook versions; the built-in ones live in the binary.
CREATE TABLE playbooks (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    playbook    TEXT NOT NULL,
    version     INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX playbooks_version ON playbooks(org_id, playbook, version);

-- The checklist an incident got from a playbook, with the version it started with.
CREATE TABLE playbook_tasks (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    playbook    TEXT NOT NULL,
    version     INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    phase       TEXT NOT NULL,
    title       TEXT NOT NULL,
    guidance    TEXT NOT NULL DEFAULT '',
    done        INTEGER NOT NULL DEFAULT 0,
    done_by     TEXT NOT NULL DEFAULT '',
    done_at     INTEGER
);
CREATE UNIQUE INDEX playbook_tasks_position ON playbook_tasks(incident_id, playbook, position);
