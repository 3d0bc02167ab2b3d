-- Regulatory clocks, notifications that meet them, organisation settings and the outbox
-- of escalations.
CREATE TABLE org_settings (
    org_id INTEGER NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (org_id, key)
);

ALTER TABLE incidents ADD COLUMN nis2_significant INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN dora_major INTEGER NOT NULL DEFAULT 0;

CREATE TABLE clocks (
    id                 INTEGER PRIMARY KEY,
    org_id             INTEGER NOT NULL,
    incident_id        INTEGER NOT NULL REFERENCES incidents(id),
    rule               TEXT NOT NULL,
    scope              TEXT NOT NULL,
    label              TEXT NOT NULL,
    source             TEXT NOT NULL,
    start_at           INTEGER NOT NULL,
    due_at             INTEGER NOT NULL,
    state              TEXT NOT NULL,
    met_at             INTEGER,
    late               INTEGER NOT NULL DEFAULT 0,
    late_reason        TEXT NOT NULL DEFAULT '',
    next_escalation_at INTEGER,
    next_threshold     INTEGER NOT NULL DEFAULT 0,
    sent_threshold     INTEGER NOT NULL DEFAULT 0,
    exercise           INTEGER NOT NULL DEFAULT 0,
    updated_at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX clocks_key ON clocks(incident_id, rule, scope);
-- The scheduler's hot path: only clocks with an escalation still to send are indexed.
CREATE INDEX clocks_escalation ON clocks(next_escalation_at) WHERE next_escalation_at IS NOT NULL;
CREATE INDEX clocks_due ON clocks(org_id, state, due_at);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    rule        TEXT NOT NULL,
    scope       TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    method      TEXT NOT NULL,
    sent_at     INTEGER NOT NULL,
    reference   TEXT NOT NULL DEFAULT '',
    late_reason TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX notifications_incident ON notifications(incident_id);

-- Escalations to send. dedupe_key makes each (clock, threshold, recipient) enqueue once,
-- whichever node sees it first.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL,
    dedupe_key      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    target          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    last_status     INTEGER NOT NULL DEFAULT 0,
    sent_at         INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX outbox_dedupe ON outbox(dedupe_key);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_recent ON outbox(org_id, id);
