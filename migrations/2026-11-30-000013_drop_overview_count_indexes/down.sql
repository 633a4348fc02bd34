CREATE INDEX demands_stats_idx ON demands (assigned_department, status, due_on);
CREATE INDEX support_measures_stats_idx ON support_measures (department, fiscal_year, status)
    INCLUDE (amount, disbursed_amount);
