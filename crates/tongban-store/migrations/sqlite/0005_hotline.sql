-- The 12345 hotline: the routing catalog the office edits, and the tickets. SQLite dialect;
-- the PostgreSQL file is the same with BIGINT.

CREATE TABLE hotline_routes (
    code       TEXT PRIMARY KEY,
    route_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE hotline_tickets (
    id           TEXT PRIMARY KEY,
    -- Open311 clients may be given a token before the id (tokens/{token}).
    token        TEXT NOT NULL UNIQUE,
    source       TEXT NOT NULL,
    category     TEXT NOT NULL,
    state        TEXT NOT NULL,
    business     INTEGER NOT NULL,
    lead         TEXT,
    -- Lead and assisting units now, as `,XH-CJJ,XH-NP,`, for a unit's queue.
    units        TEXT,
    service_code TEXT,
    filed_by     TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    reply_due    TEXT,
    ticket_json  TEXT NOT NULL
);
CREATE INDEX hotline_tickets_state ON hotline_tickets (state, business, reply_due);
CREATE INDEX hotline_tickets_lead ON hotline_tickets (lead, state);
CREATE INDEX hotline_tickets_received ON hotline_tickets (received_at);
CREATE INDEX hotline_tickets_service ON hotline_tickets (service_code, received_at);
CREATE INDEX hotline_tickets_filed_by ON hotline_tickets (filed_by);
