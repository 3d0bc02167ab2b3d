-- Web sign-in sessions, sign-in throttling, report drafts, notes and attachments.
CREATE TABLE web_sessions (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    hash         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX web_sessions_hash ON web_sessions(hash);
CREATE INDEX web_sessions_user ON web_sessions(user_id);

-- Failed sign-ins per e-mail address (known or not, so lockout reveals nothing).
CREATE TABLE signin_failures (
    email        TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    last_at      INTEGER NOT NULL,
    locked_until INTEGER NOT NULL DEFAULT 0
);

-- A report in progress, kept server-side so the journey works without JavaScript and
-- without an account, and nothing sensitive sits in a cookie.
CREATE TABLE report_drafts (
    hash       TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Notes on an incident. kind: internal (team only), to_reporter, from_reporter.
CREATE TABLE incident_notes (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    kind        TEXT NOT NULL,
    author_id   INTEGER NOT NULL,
    author      TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX incident_notes_incident ON incident_notes(incident_id, id);

-- Files attached to an incident; the bytes live in the blob store under their SHA-256.
CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER REFERENCES incidents(id),
    draft_hash   TEXT,
    sha256       TEXT NOT NULL,
    name         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_incident ON attachments(incident_id);
CREATE INDEX attachments_draft ON attachments(draft_hash) WHERE draft_hash IS NOT NULL;

ALTER TABLE orgs ADD COLUMN report_notice TEXT NOT NULL DEFAULT '';
