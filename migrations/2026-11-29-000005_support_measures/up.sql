-- Support measures (扶持措施) granted by departments, and their payments (disbursements).

CREATE TABLE support_measures (
    id               UUID PRIMARY KEY,
    enterprise_id    UUID NOT NULL REFERENCES enterprises (id),
    department       TEXT NOT NULL REFERENCES departments (code),
    kind             TEXT NOT NULL CHECK (kind IN ('subsidy', 'grant', 'loan_interest_subsidy',
                         'guarantee_fee_subsidy', 'insurance_premium_subsidy', 'tax_relief',
                         'tech_project', 'land', 'talent', 'market_promotion', 'other')),
    title            TEXT NOT NULL CHECK (btrim(title) <> ''),
    fiscal_year      INTEGER NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    amount           NUMERIC(14, 2) CHECK (amount >= 0),
    policy_id        UUID REFERENCES policies (id),
    document_no      TEXT,
    status           TEXT NOT NULL DEFAULT 'planned'
                     CHECK (status IN ('planned', 'approved', 'disbursed', 'cancelled')),
    approved_on      DATE,
    disbursed_amount NUMERIC(14, 2) NOT NULL DEFAULT 0,
    created_by       UUID,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The last line of defence: never more paid than granted.
    CHECK (disbursed_amount >= 0 AND (amount IS NULL OR disbursed_amount <= amount)),
    CHECK (status NOT IN ('approved', 'disbursed') OR approved_on IS NOT NULL)
);
CREATE INDEX support_measures_created_idx ON support_measures (created_at DESC, id DESC);
CREATE INDEX support_measures_enterprise_idx ON support_measures (enterprise_id, created_at DESC, id DESC);
CREATE INDEX support_measures_department_idx ON support_measures (department, fiscal_year, created_at DESC, id DESC);
CREATE INDEX support_measures_status_idx ON support_measures (status, created_at DESC, id DESC);
CREATE INDEX support_measures_kind_idx ON support_measures (kind, created_at DESC, id DESC);
CREATE INDEX support_measures_year_idx ON support_measures (fiscal_year, created_at DESC, id DESC);
CREATE INDEX support_measures_policy_idx ON support_measures (policy_id, created_at DESC, id DESC);

CREATE TABLE disbursements (
    id         UUID PRIMARY KEY,
    measure_id UUID NOT NULL REFERENCES support_measures (id),
    amount     NUMERIC(14, 2) NOT NULL CHECK (amount > 0),
    paid_on    DATE NOT NULL,
    voucher_no TEXT NOT NULL CHECK (btrim(voucher_no) <> ''),
    created_by UUID,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT disbursements_voucher_key UNIQUE (measure_id, voucher_no)
);
CREATE INDEX disbursements_measure_idx ON disbursements (measure_id, created_at, id);
