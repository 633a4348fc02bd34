-- A withdrawal (撤销认定) keeps its reason, date and 文号, and an enterprise's designations and
-- withdrawals are listed in its timeline.
ALTER TABLE enterprises
    ADD COLUMN withdrawal_reason TEXT,
    ADD COLUMN withdrawn_on DATE,
    ADD COLUMN withdrawal_document_no TEXT;

CREATE TABLE enterprise_designations (
    id            UUID PRIMARY KEY,
    enterprise_id UUID NOT NULL REFERENCES enterprises (id),
    kind          TEXT NOT NULL CHECK (kind IN ('designated', 'withdrawn')),
    on_date       DATE NOT NULL,
    document_no   TEXT,
    reason        TEXT,
    actor         UUID,
    at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX enterprise_designations_enterprise_idx
    ON enterprise_designations (enterprise_id, at DESC, id DESC);

-- The designations and withdrawals made before this table: the enterprise's own dates (a
-- withdrawal then recorded no date of its own: its last change stands for it).
INSERT INTO enterprise_designations (id, enterprise_id, kind, on_date, document_no, actor, at)
SELECT gen_random_uuid(), id, 'designated', designated_on, designation_batch, created_by, created_at
  FROM enterprises;
INSERT INTO enterprise_designations (id, enterprise_id, kind, on_date, actor, at)
SELECT gen_random_uuid(), id, 'withdrawn', (updated_at AT TIME ZONE 'Asia/Shanghai')::date, NULL, updated_at
  FROM enterprises WHERE status = 'withdrawn';
UPDATE enterprises SET withdrawn_on = (updated_at AT TIME ZONE 'Asia/Shanghai')::date
 WHERE status = 'withdrawn';
