ALTER TABLE enterprises DROP COLUMN visit_cadence_days;
ALTER TABLE visits DROP COLUMN checklist, DROP COLUMN contacts_met;
