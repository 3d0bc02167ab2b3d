-- The incident register, users, tokens and the record of events.
-- Instants are INTEGER microseconds since the Unix epoch, UTC, on both engines.
CREATE TABLE orgs (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES orgs(id),
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    roles         TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_email ON users(email);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens(hash);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- References are never reused: the counter only goes up, even if an incident is merged.
CREATE TABLE ref_counters (
    org_id INTEGER NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (org_id, year)
);

CREATE TABLE incidents (
    id                    INTEGER PRIMARY KEY,
    org_id                INTEGER NOT NULL REFERENCES orgs(id),
    ref                   TEXT NOT NULL,
    title                 TEXT NOT NULL,
    nature                TEXT NOT NULL,
    systems               TEXT NOT NULL DEFAULT '',
    people                TEXT NOT NULL DEFAULT '',
    discovery             TEXT NOT NULL DEFAULT '',
    reporter_name         TEXT NOT NULL DEFAULT '',
    reporter_contact      TEXT NOT NULL DEFAULT '',
    reporter_relationship TEXT NOT NULL,
    reporter_user_id      INTEGER,
    channel               TEXT NOT NULL,
    occurred_at           INTEGER,
    occurred_precision    TEXT NOT NULL,
    discovered_at         INTEGER,
    reported_at           INTEGER NOT NULL,
    aware_at              INTEGER,
    contained_at          INTEGER,
    resolved_at           INTEGER,
    closed_at             INTEGER,
    class                 TEXT NOT NULL,
    class_rank            INTEGER NOT NULL,
    near_miss             INTEGER NOT NULL DEFAULT 0,
    personal_data         TEXT NOT NULL,
    status                TEXT NOT NULL,
    owner_id              INTEGER REFERENCES users(id),
    restricted            INTEGER NOT NULL DEFAULT 0,
    exercise              INTEGER NOT NULL DEFAULT 0,
    tags                  TEXT NOT NULL DEFAULT '[]',
    merged_into_id        INTEGER REFERENCES incidents(id),
    status_token_hash     TEXT,
    version               INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE UNIQUE INDEX incidents_ref ON incidents(org_id, ref);
-- One index per list filter, each ending in the default sort key so a filtered first page
-- is an index range scan, never a sort of the whole table.
CREATE INDEX incidents_reported ON incidents(org_id, reported_at);
CREATE INDEX incidents_status ON incidents(org_id, status, reported_at);
CREATE INDEX incidents_class ON incidents(org_id, class, reported_at);
CREATE INDEX incidents_personal ON incidents(org_id, personal_data, reported_at);
CREATE INDEX incidents_owner ON incidents(org_id, owner_id, reported_at);
CREATE INDEX incidents_priority ON incidents(org_id, class_rank, reported_at);
CREATE INDEX incidents_reporter ON incidents(reporter_user_id) WHERE reporter_user_id IS NOT NULL;
CREATE UNIQUE INDEX incidents_status_token ON incidents(status_token_hash) WHERE status_token_hash IS NOT NULL;

CREATE TABLE incident_access (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (incident_id, user_id)
);

CREATE TABLE incident_links (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    related_id  INTEGER NOT NULL REFERENCES incidents(id),
    kind        TEXT NOT NULL,
    PRIMARY KEY (incident_id, related_id)
);

CREATE VIRTUAL TABLE incidents_fts USING fts5(
    title, nature, systems,
    content='incidents', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER incidents_fts_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_fts(rowid, title, nature, systems) VALUES (new.id, new.title, new.nature, new.systems);
END;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, nature, systems ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, nature, systems) VALUES ('delete', old.id, old.title, old.nature, old.systems);
    INSERT INTO incidents_fts(rowid, title, nature, systems) VALUES (new.id, new.title, new.nature, new.systems);
END;
CREATE TRIGGER incidents_fts_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, nature, systems) VALUES ('delete', old.id, old.title, old.nature, old.systems);
END;

-- The record of events (seed 001 annex four), hash-chained per organisation.
CREATE TABLE audit_heads (
    org_id INTEGER PRIMARY KEY,
    seq    INTEGER NOT NULL,
    hash   TEXT NOT NULL
);
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    incident_id INTEGER NOT NULL,
    ref         TEXT NOT NULL,
    data        TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_events_seq ON audit_events(org_id, seq);
CREATE INDEX audit_events_incident ON audit_events(incident_id, seq) WHERE incident_id <> 0;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the record of events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'the record of events is append-only');
END;
