DROP INDEX visits_window_idx;
DROP TABLE indicators;
