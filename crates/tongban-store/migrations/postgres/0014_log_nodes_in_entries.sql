-- Each entry row carries the complete subtrees its append finished (its leaf hash, then each
-- parent whose right child it completed, bottom up, hex): an append writes one row of the log
-- instead of one per subtree, and the log's append costs close to a plain insert. The separate
-- table of subtrees is folded in and dropped.

ALTER TABLE log_entries ADD COLUMN nodes TEXT NOT NULL DEFAULT '';

DROP TRIGGER log_entries_no_change ON log_entries;
UPDATE log_entries e SET nodes = COALESCE((
    SELECT string_agg(n.hash, '' ORDER BY n.level) FROM log_nodes n
    WHERE ((n.idx + 1) << n.level::int) - 1 = e.idx
), '');
CREATE TRIGGER log_entries_no_change BEFORE UPDATE OR DELETE ON log_entries
FOR EACH ROW EXECUTE FUNCTION log_append_only();

DROP TABLE log_nodes;
