-- A GIN index keeps new entries in a pending list until VACUUM merges them, and every search
-- reads that list in full. Each visit raises its enterprise's last_visited_on, which writes a new
-- row version and so a new entry in each of the enterprise's GIN indexes. After the benchmark's
-- write scenarios the name index had 219 pending pages at 1,000,000 enterprises, read by every
-- name search. New entries now go straight into the index (a little more work per write).
ALTER INDEX enterprises_name_trgm_idx SET (fastupdate = off);
ALTER INDEX enterprises_credit_code_trgm_idx SET (fastupdate = off);
ALTER INDEX enterprises_name_bigrams_idx SET (fastupdate = off);
ALTER INDEX enterprises_assigned_idx SET (fastupdate = off);
ALTER INDEX enterprises_officers_idx SET (fastupdate = off);
ALTER INDEX enterprises_tags_idx SET (fastupdate = off);
ALTER INDEX visits_officers_idx SET (fastupdate = off);

-- What is pending already is merged now.
SELECT gin_clean_pending_list(c.oid::regclass)
FROM pg_class c
WHERE c.relname IN ('enterprises_name_trgm_idx', 'enterprises_credit_code_trgm_idx',
                    'enterprises_name_bigrams_idx', 'enterprises_assigned_idx',
                    'enterprises_officers_idx', 'enterprises_tags_idx', 'visits_officers_idx');
