-- Bundles (一件事): one application fanning out into part cases. SQLite dialect; the
-- PostgreSQL file is the same with BIGINT.

CREATE TABLE bundles (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    applicant    TEXT NOT NULL REFERENCES users (username),
    state        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    accepted_at  TEXT,
    completed_at TEXT,
    version      INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    bundle_json  TEXT NOT NULL
);
CREATE INDEX bundles_applicant ON bundles (applicant, created_at);
CREATE INDEX bundles_state ON bundles (kind, state, accepted_at);

ALTER TABLE cases ADD COLUMN bundle_id TEXT REFERENCES bundles (id);
CREATE INDEX cases_bundle ON cases (bundle_id);
-- Units co-signing a joint case, as `,XH-ZRZY,XH-SPJ,` so a unit's queue can find it.
ALTER TABLE cases ADD COLUMN cosign_units TEXT;

-- Registered market entities: the names a proposed company name is checked against, and the
-- codes issued, so no code is ever issued twice.
CREATE TABLE enterprises (
    uscc          TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    registered_at TEXT NOT NULL,
    bundle_id     TEXT
);
