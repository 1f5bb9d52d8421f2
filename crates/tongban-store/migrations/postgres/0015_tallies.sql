-- The district's tallies (R11): every record's parts (what it counts in: metric × unit × month,
-- a count and an amount in hundredths) and their sums, both changed in the record's own write,
-- so indicators read sums instead of scanning history. `tongban tallies verify` recounts.

CREATE TABLE tally_parts (
    kind   TEXT NOT NULL,
    id     TEXT NOT NULL,
    metric TEXT NOT NULL,
    unit   TEXT NOT NULL,
    month  BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (kind, id, metric, unit, month)
);
-- The drill-down: the records behind one cell.
CREATE INDEX tally_parts_cell ON tally_parts (metric, month, unit);

CREATE TABLE tallies (
    metric TEXT NOT NULL,
    unit   TEXT NOT NULL,
    month  BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (month, metric, unit)
);

-- A database that already holds records counts them once, when the store next opens.
INSERT INTO settings (key, value, updated_at, updated_by)
SELECT 'tallies.rebuild', 'needed', '', 'migration'
WHERE EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM ratings)
   OR EXISTS (SELECT 1 FROM hotline_tickets) OR EXISTS (SELECT 1 FROM declarations)
   OR EXISTS (SELECT 1 FROM credit_records) OR EXISTS (SELECT 1 FROM inspection_checks)
   OR EXISTS (SELECT 1 FROM risk_warnings);
