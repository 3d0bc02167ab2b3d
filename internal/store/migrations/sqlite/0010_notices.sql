-- Notices (issue 7 items 1-4): the notification plan of each incident, the team's answers
-- to regulator-form questions Vigil cannot derive, the organisation's letter templates
-- (versioned), letter runs with one row per recipient, and what a notification record
-- says about the document sent.
ALTER TABLE notifications ADD COLUMN phase TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN document_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN people_count INTEGER;
ALTER TABLE notifications ADD COLUMN letter_run_id INTEGER;

CREATE TABLE notice_plans (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    party       TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('now', 'later', 'not')),
    reason      TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX notice_plans_party ON notice_plans(incident_id, party);

CREATE TABLE notice_answers (
    incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),
    org_id      INTEGER NOT NULL,
    answers     TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE letter_templates (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('letter', 'public_statement')),
    version    INTEGER NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX letter_templates_version ON letter_templates(org_id, kind, version);

-- A run keeps the wording it was merged from, so what was sent can be shown later even
-- after the template changes.
CREATE TABLE letter_runs (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL,
    incident_id      INTEGER NOT NULL REFERENCES incidents(id),
    method           TEXT NOT NULL CHECK (method IN ('email', 'pdf')),
    template_version INTEGER NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    content          TEXT NOT NULL,
    per_minute       INTEGER NOT NULL,
    recipients       INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('draft', 'sending', 'generated')),
    document_sha256  TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    started_by       TEXT NOT NULL DEFAULT '',
    started_at       INTEGER
);
CREATE INDEX letter_runs_incident ON letter_runs(incident_id, id);

CREATE TABLE letter_sends (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES letter_runs(id),
    row_no          INTEGER NOT NULL,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    address         TEXT NOT NULL,
    fields          TEXT NOT NULL,
    document_sha256 TEXT NOT NULL,
    outbox_key      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX letter_sends_run ON letter_sends(run_id, id);
