-- Contact-point enterprises (联系点企业) and their contact persons.

CREATE TABLE enterprises (
    id                          UUID PRIMARY KEY,
    name                        TEXT NOT NULL CHECK (btrim(name) <> ''),
    credit_code                 TEXT NOT NULL CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    credit_code_override_reason TEXT,
    region_code                 TEXT NOT NULL REFERENCES regions (code),
    category                    TEXT NOT NULL REFERENCES categories (code),
    subcategory                 TEXT,
    size                        TEXT NOT NULL CHECK (size IN ('large', 'medium', 'small', 'micro')),
    lead_department             TEXT NOT NULL REFERENCES departments (code),
    legal_representative        TEXT,
    address                     TEXT,
    key_products                TEXT[] NOT NULL DEFAULT '{}',
    designated_on               DATE NOT NULL,
    designation_batch           TEXT,
    status                      TEXT NOT NULL DEFAULT 'active'
                                CHECK (status IN ('active', 'suspended', 'withdrawn')),
    assigned_departments        TEXT[] NOT NULL CHECK (lead_department = ANY (assigned_departments)),
    liaison_officers            UUID[] NOT NULL DEFAULT '{}',
    tags                        TEXT[] NOT NULL DEFAULT '{}',
    employees                   INTEGER CHECK (employees >= 0),
    description                 TEXT,
    created_by                  UUID,
    version                     INTEGER NOT NULL DEFAULT 1,
    created_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    FOREIGN KEY (category, subcategory) REFERENCES subcategories (category_code, code)
);
CREATE UNIQUE INDEX enterprises_credit_code_key ON enterprises (credit_code);
-- Keyset orders of the list.
CREATE INDEX enterprises_name_idx ON enterprises (name, id);
CREATE INDEX enterprises_designated_on_idx ON enterprises (designated_on, id);
CREATE INDEX enterprises_updated_at_idx ON enterprises (updated_at, id);
-- Filters.
CREATE INDEX enterprises_region_idx ON enterprises (region_code);
CREATE INDEX enterprises_category_idx ON enterprises (category, size);
CREATE INDEX enterprises_status_idx ON enterprises (status);
CREATE INDEX enterprises_assigned_idx ON enterprises USING GIN (assigned_departments);
CREATE INDEX enterprises_officers_idx ON enterprises USING GIN (liaison_officers);
CREATE INDEX enterprises_tags_idx ON enterprises USING GIN (tags);
-- Substring search (`q`) in names and codes, Chinese included (C.UTF-8 ctype).
CREATE INDEX enterprises_name_trgm_idx ON enterprises USING GIN (name gin_trgm_ops);
CREATE INDEX enterprises_credit_code_trgm_idx ON enterprises USING GIN (credit_code gin_trgm_ops);

CREATE TABLE enterprise_contacts (
    id            UUID PRIMARY KEY,
    enterprise_id UUID NOT NULL REFERENCES enterprises (id),
    name          TEXT NOT NULL CHECK (btrim(name) <> ''),
    title         TEXT,
    phone         TEXT,
    email         TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX enterprise_contacts_enterprise_idx ON enterprise_contacts (enterprise_id, created_at, id);
