-- Backbone: audit trail, organisation, accounts, catalog. SQLite dialect.
-- Times are RFC 3339 text with offset; JSON is text; flags are 0/1 integers, so that one SQL
-- implementation serves both stores.

CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    seq       INTEGER NOT NULL,
    last_hash TEXT    NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json  TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
-- The trail is append-only: the database itself refuses edits and deletions.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE units (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    name_en TEXT NOT NULL,
    level   TEXT NOT NULL,
    parent  TEXT REFERENCES units (code),
    address TEXT NOT NULL,
    phone   TEXT NOT NULL
);

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    unit          TEXT REFERENCES units (code),
    identity_json TEXT,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users (username),
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    username     TEXT NOT NULL REFERENCES users (username),
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);

CREATE TABLE login_failures (
    key      TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    first_at TEXT NOT NULL
);

-- The working copy and the newest published version of each item.
CREATE TABLE items (
    code              TEXT PRIMARY KEY,
    draft_json        TEXT NOT NULL,
    draft_name        TEXT NOT NULL,
    draft_unit        TEXT NOT NULL,
    unpublished_edits INTEGER NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_by        TEXT NOT NULL,
    published_version INTEGER,
    published_at      TEXT,
    pub_json          TEXT
);
-- The administrators' list scans this narrow index, not the wide rows.
CREATE INDEX items_admin ON items (updated_at, code, draft_name);

-- What public search and browsing read: one narrow row per published item, so a search scans
-- a few hundred bytes per item and only the page it shows reads the guides themselves.
CREATE TABLE item_search (
    code         TEXT PRIMARY KEY REFERENCES items (code),
    name         TEXT NOT NULL,
    basic_code   TEXT NOT NULL,
    level        TEXT NOT NULL,
    level_rank   INTEGER NOT NULL,
    unit         TEXT NOT NULL,
    themes       TEXT NOT NULL,
    online_depth TEXT NOT NULL,
    search_text  TEXT NOT NULL
);
CREATE INDEX item_search_basic ON item_search (basic_code);

CREATE TABLE item_versions (
    code         TEXT    NOT NULL REFERENCES items (code),
    version      INTEGER NOT NULL,
    guide_json   TEXT    NOT NULL,
    published_at TEXT    NOT NULL,
    published_by TEXT    NOT NULL,
    note         TEXT    NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE retained_certificates (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    item_code   TEXT REFERENCES items (code),
    note        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
