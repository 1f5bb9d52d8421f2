-- 好差评: window visits, ratings (one per case, one per visit) and rectification tickets.
-- PostgreSQL dialect.

-- A service at a window: its ticket number and the unguessable token its QR code carries.
CREATE TABLE visits (
    id        TEXT PRIMARY KEY,
    token     TEXT NOT NULL UNIQUE,
    ticket    TEXT NOT NULL,
    unit      TEXT NOT NULL REFERENCES units (code),
    item_code TEXT,
    served_by TEXT NOT NULL,
    served_at TEXT NOT NULL
);
CREATE INDEX visits_unit ON visits (unit, served_at);

CREATE TABLE ratings (
    id          TEXT PRIMARY KEY,
    channel     TEXT NOT NULL,
    case_id     TEXT REFERENCES cases (id),
    visit_id    TEXT REFERENCES visits (id),
    unit        TEXT NOT NULL,
    item_code   TEXT NOT NULL,
    level       TEXT NOT NULL,
    removed     BIGINT NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    rating_json TEXT NOT NULL
);
-- One rating per case per service, one per visit: the database holds the rule too.
CREATE UNIQUE INDEX ratings_case ON ratings (case_id) WHERE case_id IS NOT NULL;
CREATE UNIQUE INDEX ratings_visit ON ratings (visit_id) WHERE visit_id IS NOT NULL;
CREATE INDEX ratings_unit ON ratings (unit, item_code);

CREATE TABLE rectifications (
    id          TEXT PRIMARY KEY,
    rating_id   TEXT NOT NULL UNIQUE REFERENCES ratings (id),
    unit        TEXT NOT NULL,
    state       TEXT NOT NULL,
    due         TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    ticket_json TEXT NOT NULL
);
CREATE INDEX rectifications_unit ON rectifications (unit, state);

-- Settings the offices change at run time (e.g. the rectification deadline), one value per key.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
