-- E-mail intake: every message taken in (Message-ID dedupe, per-sender rate, campaign
-- counts), the quarantine of refused messages, the observables of phishing reports, and
-- where each IMAP mailbox was left.
CREATE TABLE intake_messages (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    message_key TEXT NOT NULL,
    sender      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    incident_id INTEGER REFERENCES incidents(id),
    received_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX intake_messages_key ON intake_messages(org_id, message_key);
CREATE INDEX intake_messages_sender ON intake_messages(org_id, sender, received_at);
CREATE INDEX intake_messages_incident ON intake_messages(incident_id);

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    sender      TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX quarantine_org ON quarantine(org_id, id);

CREATE TABLE observables (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    type        TEXT NOT NULL,
    value       TEXT NOT NULL,
    tlp         TEXT NOT NULL DEFAULT 'amber',
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    count       INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX observables_incident ON observables(incident_id, type, value);
CREATE INDEX observables_value ON observables(org_id, type, value, last_seen);

CREATE TABLE imap_mailboxes (
    org_id       INTEGER NOT NULL,
    mailbox      TEXT NOT NULL,
    uid_validity INTEGER NOT NULL DEFAULT 0,
    last_uid     INTEGER NOT NULL DEFAULT 0,
    lease_owner  TEXT NOT NULL DEFAULT '',
    lease_until  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, mailbox)
);
