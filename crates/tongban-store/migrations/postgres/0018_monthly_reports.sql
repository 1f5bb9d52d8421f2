-- The leadership's monthly reports (PDF): each kept with the inputs it was drawn from and their
-- hash, so that a past report can be made again and compared byte for byte. The monthly job
-- makes one per month (scheduled = 1, at most one); anyone allowed may make more on demand.

CREATE TABLE monthly_reports (
    id            TEXT PRIMARY KEY,
    month         INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    scheduled     INTEGER NOT NULL,
    inputs_json   TEXT NOT NULL,
    inputs_sha256 TEXT NOT NULL,
    pdf_sha256    TEXT NOT NULL,
    pdf_size      INTEGER NOT NULL,
    font          TEXT NOT NULL,
    made_at       TEXT NOT NULL,
    made_by       TEXT NOT NULL,
    UNIQUE (month, version)
);
CREATE UNIQUE INDEX monthly_reports_one_scheduled ON monthly_reports (month) WHERE scheduled = 1;
