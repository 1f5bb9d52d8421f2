-- Rules as data and policy redemption. PostgreSQL dialect (the SQLite file has INTEGER and
-- AUTOINCREMENT).

-- Every saved version of every rule set; a version is immutable once saved. Drafts can be
-- tried (what-if) and published; a case is judged by the published version in force on its
-- acceptance date.
CREATE TABLE rule_sets (
    code         TEXT NOT NULL,
    version      BIGINT NOT NULL,
    name         TEXT NOT NULL,
    status       TEXT NOT NULL,
    valid_from   TEXT NOT NULL,
    valid_to     TEXT,
    source       TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    published_at TEXT,
    PRIMARY KEY (code, version)
);

-- Every decision the rules made, with the facts it was made on: the record what-if replays.
CREATE TABLE rule_decisions (
    id            BIGSERIAL PRIMARY KEY,
    rule_set      TEXT NOT NULL,
    version       BIGINT NOT NULL,
    subject_kind  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    subject_name  TEXT NOT NULL,
    decided_at    TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    amount_fen    BIGINT,
    facts_json    TEXT NOT NULL,
    decision_json TEXT NOT NULL
);
CREATE INDEX rule_decisions_set ON rule_decisions (rule_set, id);

-- Items approved automatically, with the rule set that decides them.
CREATE TABLE item_rules (
    item_code  TEXT PRIMARY KEY,
    rule_set   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- What the platform knows about each enterprise for policy matching (typed facts).
ALTER TABLE enterprises ADD COLUMN facts_json TEXT;

CREATE TABLE policies (
    code          TEXT PRIMARY KEY,
    policy_json   TEXT NOT NULL,
    budget_fen    BIGINT NOT NULL,
    -- Reserved by approved declarations and grants; never above the budget (checked in the
    -- same UPDATE that reserves, so concurrent approvals cannot overspend).
    committed_fen BIGINT NOT NULL DEFAULT 0,
    paid_fen      BIGINT NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL,
    CHECK (committed_fen <= budget_fen)
);

CREATE TABLE declarations (
    id               TEXT PRIMARY KEY,
    policy           TEXT NOT NULL REFERENCES policies (code),
    uscc             TEXT NOT NULL,
    state            TEXT NOT NULL,
    amount_fen       BIGINT NOT NULL,
    declared_at      TEXT NOT NULL,
    paid_on          TEXT,
    -- Departments still to sign, as `,XH-JKT,XH-CZJ,`, for their queues.
    pending_units    TEXT NOT NULL,
    declaration_json TEXT NOT NULL,
    UNIQUE (policy, uscc)
);
CREATE INDEX declarations_state ON declarations (state, policy);
CREATE INDEX declarations_uscc ON declarations (uscc);

-- Inbox messages about a declaration (those about a case keep `case_id`).
ALTER TABLE inbox ADD COLUMN declaration_id TEXT REFERENCES declarations (id);
