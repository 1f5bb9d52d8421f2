-- 信用西湖: credit records of enterprises and persons. PostgreSQL dialect.
-- The record is kept as JSON; the columns are what searches and jobs query.
-- Credit marks of earlier versions become records at start-up (Store::migrate_credit_marks).

CREATE TABLE credit_records (
    id            TEXT PRIMARY KEY,
    subject_kind  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    subject_name  TEXT NOT NULL,
    kind          TEXT NOT NULL,
    severity      TEXT NOT NULL,
    unit          TEXT NOT NULL,
    decided_on    TEXT NOT NULL,
    -- First and last day of publication; NULL from: never published; NULL until: open-ended.
    publish_from  TEXT,
    publish_until TEXT,
    repaired      BIGINT NOT NULL DEFAULT 0,
    -- The undecided repair request's deadline, for the unit's queue.
    repair_due    TEXT,
    case_id       TEXT,
    record_json   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX credit_records_subject ON credit_records (subject_id);
CREATE INDEX credit_records_name ON credit_records (subject_name);
CREATE INDEX credit_records_unit ON credit_records (unit, repair_due);
CREATE INDEX credit_records_kind ON credit_records (kind, publish_from);
