-- The year's end: dates moved when a year's holiday notice replaced its provisional arrangement
-- (the law's statutory days), kept so the administrator sees what moved and by how much.
-- PostgreSQL dialect; the SQLite file is the same with INTEGER and AUTOINCREMENT.
CREATE TABLE calendar_moves (
    id          BIGSERIAL PRIMARY KEY,
    year        BIGINT NOT NULL,
    moved_at    TEXT NOT NULL,
    -- case | hotline_ticket | rectification
    record_kind TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    unit        TEXT NOT NULL,
    -- legal_due, promised_due, correction_deadline, supply_by, reply_due, due
    field       TEXT NOT NULL,
    -- administration (follows the notice) | applicant (never earlier than told)
    binds       TEXT NOT NULL,
    before_date TEXT NOT NULL,
    after_date  TEXT NOT NULL,
    -- calendar days, positive later
    days        BIGINT NOT NULL
);
CREATE INDEX calendar_moves_year ON calendar_moves (year, id);

-- A line of detail under an inbox message, e.g. which date moved from when to when.
ALTER TABLE inbox ADD COLUMN detail TEXT;
