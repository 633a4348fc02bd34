-- Demand lists sorted by due date: a demand without one sorts last (as 9999-12-31), so the
-- sort key is never null and a keyset page is one index range.
DROP INDEX demands_due_idx;
CREATE INDEX demands_due_sort_idx ON demands ((COALESCE(due_on, DATE '9999-12-31')), id);
