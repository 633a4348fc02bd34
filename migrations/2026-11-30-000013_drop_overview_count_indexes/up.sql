-- The overview reads running totals now (000012). These two indexes served only its counts, and
-- every write of a measure or a demand paid for them. Without the first, a payment's update of
-- `disbursed_amount` touches no index and can stay on its page (a HOT update).
DROP INDEX support_measures_stats_idx;
DROP INDEX demands_stats_idx;
