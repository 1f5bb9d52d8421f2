-- The transparency log of electronic licences (R10): its entries, the hash of every complete
-- subtree (written once when its last leaf is appended), and the checkpoints published. All
-- three are append-only; `tongban log verify` recomputes the tree from the entries and names
-- any row that was changed behind the database's back.

CREATE TABLE log_entries (
    idx        BIGINT PRIMARY KEY,
    entry      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE log_nodes (
    level BIGINT NOT NULL,
    idx   BIGINT NOT NULL,
    hash  TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE log_checkpoints (
    size       BIGINT PRIMARY KEY,
    note       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the log is append-only'; END; $$;
CREATE TRIGGER log_entries_no_change BEFORE UPDATE OR DELETE ON log_entries
FOR EACH ROW EXECUTE FUNCTION log_append_only();
CREATE TRIGGER log_nodes_no_change BEFORE UPDATE OR DELETE ON log_nodes
FOR EACH ROW EXECUTE FUNCTION log_append_only();
