-- Departments as the plan's bodies are organised today: provincial, city and county units, with
-- their former names, and a switch instead of deletion (demands and users keep pointing at them).
ALTER TABLE departments
    ADD COLUMN level TEXT NOT NULL DEFAULT 'province'
        CHECK (level IN ('province', 'city', 'county')),
    ADD COLUMN region_code TEXT REFERENCES regions (code),
    ADD COLUMN aliases TEXT[] NOT NULL DEFAULT '{}' CHECK (array_position(aliases, NULL) IS NULL),
    ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE,
    ADD CONSTRAINT departments_region_for_local_units
        CHECK ((level = 'province') = (region_code IS NULL));

-- The supervisor (督办) role.
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (
    cardinality(roles) > 0
    AND roles <@ ARRAY['admin', 'liaison', 'finance', 'analyst', 'supervisor']::TEXT[]
);
ALTER TABLE api_clients DROP CONSTRAINT api_clients_roles_check;
ALTER TABLE api_clients ADD CONSTRAINT api_clients_roles_check CHECK (
    cardinality(roles) > 0
    AND roles <@ ARRAY['admin', 'liaison', 'finance', 'analyst', 'supervisor']::TEXT[]
);

-- The directory pages through users by department, then id.
CREATE INDEX users_directory_idx ON users (department, id);
