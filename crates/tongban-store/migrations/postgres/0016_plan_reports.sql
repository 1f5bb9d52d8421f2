-- Units' quarterly progress reports on the plan's tasks (R11): one per task, unit and quarter,
-- the report as JSON with the columns the lists and the overdue check query.

CREATE TABLE plan_reports (
    id           TEXT PRIMARY KEY,
    task         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    period       TEXT NOT NULL,
    state        TEXT NOT NULL,
    due          TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    report_json  TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (task, unit, period)
);
CREATE INDEX plan_reports_unit ON plan_reports (unit, period);
