-- Where imported incidents came from (vigil import): the source ("veris", "csv:NAME"), the
-- record's identifier there, and the original document (the VERIS JSON, or the spreadsheet
-- row as JSON). The key makes re-running an import update instead of duplicate; the document
-- lets a VERIS export of an imported incident give back what came in. A side table, so the
-- incidents rows the queue reads stay small.
CREATE TABLE incident_sources (
    incident_id BIGINT PRIMARY KEY REFERENCES incidents(id),
    org_id      BIGINT NOT NULL,
    source      TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    document    TEXT NOT NULL DEFAULT '',
    imported_at BIGINT NOT NULL
);
-- A row without an identifier (a spreadsheet with no id column) records provenance only.
CREATE UNIQUE INDEX incident_sources_key ON incident_sources(org_id, source, source_id) WHERE source_id <> '';
