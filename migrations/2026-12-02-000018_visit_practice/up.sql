-- Visits as practice runs them: joint visits with officers of several departments, the contact
-- persons met, and a checklist of what was confirmed; each enterprise's own visit cadence.
ALTER TABLE visits
    ADD COLUMN contacts_met UUID[] NOT NULL DEFAULT '{}'
        CHECK (array_position(contacts_met, NULL) IS NULL AND cardinality(contacts_met) <= 20),
    ADD COLUMN checklist TEXT[] NOT NULL DEFAULT '{}'
        CHECK (array_position(checklist, NULL) IS NULL AND cardinality(checklist) <= 30);

ALTER TABLE enterprises
    ADD COLUMN visit_cadence_days INTEGER CHECK (visit_cadence_days BETWEEN 1 AND 3650);
