-- Index new incidents once per write batch (Tx.flushFTS) instead of per row: with a per-row
-- trigger, every later statement in the batch that opens a statement journal made FTS5 flush
-- a one-row segment. Re-index on update only when the indexed text changed.
DROP TRIGGER IF EXISTS incidents_fts_insert;
DROP TRIGGER IF EXISTS incidents_fts_update;
CREATE TRIGGER incidents_fts_update AFTER UPDATE OF title, nature, systems ON incidents
WHEN old.title IS NOT new.title OR old.nature IS NOT new.nature OR old.systems IS NOT new.systems BEGIN
    INSERT INTO incidents_fts(incidents_fts, rowid, title, nature, systems) VALUES ('delete', old.id, old.title, old.nature, old.systems);
    INSERT INTO incidents_fts(rowid, title, nature, systems) VALUES (new.id, new.title, new.nature, new.systems);
END;
