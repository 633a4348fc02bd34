-- The leaders' demand figures (GET /api/v1/stats/demands) count resolutions and closures by
-- when they happened.
CREATE INDEX demands_resolved_at_idx ON demands (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX demands_closed_at_idx ON demands (closed_at) WHERE closed_at IS NOT NULL;
