DROP INDEX demands_due_sort_idx;
CREATE INDEX demands_due_idx ON demands (due_on, id);
