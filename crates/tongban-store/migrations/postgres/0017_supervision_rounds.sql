-- Supervision rounds of the action plan (督查): findings unit by unit, the published notice
-- (通报) and the units' rectifications, the round as JSON.

CREATE TABLE supervision_rounds (
    id         TEXT PRIMARY KEY,
    held_on    TEXT NOT NULL,
    state      TEXT NOT NULL,
    round_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
