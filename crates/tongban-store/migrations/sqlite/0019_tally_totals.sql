-- Capabilities' own statistics (cases, bundles, reviews) read all-time sums by metric and unit
-- from the tallies: an index that holds them. New metrics (rateable services, every rating,
-- promised days, clocks that cannot be computed, hotline dispatches, returns and reopenings) are
-- counted by a rebuild on first open.

CREATE INDEX tallies_by_metric ON tallies (metric, unit, month, n, amount);

INSERT INTO settings (key, value, updated_at, updated_by)
SELECT 'tallies.rebuild', 'needed', '', 'migration'
WHERE (EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM ratings)
   OR EXISTS (SELECT 1 FROM visits) OR EXISTS (SELECT 1 FROM hotline_tickets))
  AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'tallies.rebuild');
