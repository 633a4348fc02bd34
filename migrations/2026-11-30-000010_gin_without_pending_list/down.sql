ALTER INDEX enterprises_name_trgm_idx RESET (fastupdate);
ALTER INDEX enterprises_credit_code_trgm_idx RESET (fastupdate);
ALTER INDEX enterprises_name_bigrams_idx RESET (fastupdate);
ALTER INDEX enterprises_assigned_idx RESET (fastupdate);
ALTER INDEX enterprises_officers_idx RESET (fastupdate);
ALTER INDEX enterprises_tags_idx RESET (fastupdate);
ALTER INDEX visits_officers_idx RESET (fastupdate);
