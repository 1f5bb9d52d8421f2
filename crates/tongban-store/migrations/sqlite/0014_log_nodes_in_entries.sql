-- Each entry row carries the complete subtrees its append finished (its leaf hash, then each
-- parent whose right child it completed, bottom up, hex): an append writes one row of the log
-- instead of one per subtree, and the log's append costs close to a plain insert. The separate
-- table of subtrees is folded in and dropped.

ALTER TABLE log_entries ADD COLUMN nodes TEXT NOT NULL DEFAULT '';

DROP TRIGGER log_entries_no_update;
UPDATE log_entries SET nodes = COALESCE((
    SELECT group_concat(hash, '') FROM (
        SELECT n.hash FROM log_nodes n
        WHERE ((n.idx + 1) << n.level) - 1 = log_entries.idx
        ORDER BY n.level
    )
), '');
CREATE TRIGGER log_entries_no_update BEFORE UPDATE ON log_entries
BEGIN SELECT RAISE(ABORT, 'log_entries is append-only'); END;

DROP TRIGGER log_nodes_no_update;
DROP TRIGGER log_nodes_no_delete;
DROP TABLE log_nodes;
