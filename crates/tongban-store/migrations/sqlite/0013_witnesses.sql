-- Witnesses of the transparency log: the parties an administrator registered (name and verifier
-- key), and each one's cosignature of a checkpoint, published beside the log's own signature.

CREATE TABLE log_witnesses (
    name     TEXT PRIMARY KEY,
    vkey     TEXT NOT NULL,
    added_at TEXT NOT NULL
);

CREATE TABLE log_cosignatures (
    size       INTEGER NOT NULL,
    witness    TEXT NOT NULL,
    line       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (size, witness)
);
