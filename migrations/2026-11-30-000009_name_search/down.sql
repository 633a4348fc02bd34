ALTER TABLE enterprises ALTER COLUMN name SET STATISTICS -1;
DROP INDEX enterprises_name_bigrams_idx;
DROP FUNCTION name_bigrams(text);
