-- Cases on the statutory clock: the working-day calendar, cases, files, inbox, credit marks.
-- PostgreSQL dialect.

-- One row per loaded year: the schedule file as imported (see data/calendar/README.md).
CREATE TABLE calendar_years (
    year      BIGINT PRIMARY KEY,
    notice    TEXT NOT NULL,
    toml      TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL
);

-- Named sequences: case numbers per year, notice numbers per unit, kind and year.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    next BIGINT NOT NULL
);

-- The case aggregate as JSON, with the columns that lists, queues and the clock job query.
CREATE TABLE cases (
    id             TEXT PRIMARY KEY,
    item_code      TEXT NOT NULL,
    unit           TEXT NOT NULL REFERENCES units (code),
    applicant      TEXT NOT NULL REFERENCES users (username),
    agent          TEXT,
    state          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    submitted_at   TEXT,
    accepted_at    TEXT,
    decided_at     TEXT,
    closed_at      TEXT,
    legal_due      TEXT,
    promised_due   TEXT,
    -- Earliest due date of a commitment not yet fulfilled (the clock job watches it).
    commitment_due TEXT,
    clock_status   TEXT NOT NULL,
    version        BIGINT NOT NULL,
    updated_at     TEXT NOT NULL,
    case_json      TEXT NOT NULL
);
CREATE INDEX cases_unit_state ON cases (unit, state, promised_due);
CREATE INDEX cases_applicant ON cases (applicant, created_at);
CREATE INDEX cases_agent ON cases (agent);
CREATE INDEX cases_state_due ON cases (state, legal_due);

-- Uploaded files, content-addressed: the bytes live on disk under blobs/ab/abcdef….
CREATE TABLE blobs (
    sha256       TEXT PRIMARY KEY,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- In-app messages. `recipient` is `user:NAME` or `unit:CODE`; `dedupe` makes the clock job's
-- notices idempotent across restarts and servers.
CREATE TABLE inbox (
    id         BIGSERIAL PRIMARY KEY,
    recipient  TEXT NOT NULL,
    case_id    TEXT REFERENCES cases (id),
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT,
    dedupe     TEXT UNIQUE
);
CREATE INDEX inbox_recipient ON inbox (recipient, id);

-- E-mail waiting to be sent over SMTP (when configured), one per inbox message to a user with an
-- address; the text is composed from the inbox message when it is sent.
CREATE TABLE mail_outbox (
    id         BIGSERIAL PRIMARY KEY,
    inbox_id   BIGINT NOT NULL UNIQUE REFERENCES inbox (id),
    address    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at    TEXT,
    attempts   BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);

-- Credit marks that bar written commitments: serious bad credit, or a past false promise.
CREATE TABLE credit_marks (
    id         BIGSERIAL PRIMARY KEY,
    subject    TEXT NOT NULL REFERENCES users (username),
    kind       TEXT NOT NULL,
    case_id    TEXT,
    note       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX credit_marks_subject ON credit_marks (subject);

ALTER TABLE users ADD COLUMN email TEXT;
