DROP INDEX users_directory_idx;
ALTER TABLE api_clients DROP CONSTRAINT api_clients_roles_check;
ALTER TABLE api_clients ADD CONSTRAINT api_clients_roles_check CHECK (
    cardinality(roles) > 0
    AND roles <@ ARRAY['admin', 'liaison', 'finance', 'analyst']::TEXT[]
);
ALTER TABLE users DROP CONSTRAINT users_roles_check;
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (
    cardinality(roles) > 0
    AND roles <@ ARRAY['admin', 'liaison', 'finance', 'analyst']::TEXT[]
);
ALTER TABLE departments
    DROP CONSTRAINT departments_region_for_local_units,
    DROP COLUMN active,
    DROP COLUMN aliases,
    DROP COLUMN region_code,
    DROP COLUMN level;
