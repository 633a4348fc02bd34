-- Designation batches (认定批次): a batch is proposed (candidate), published for comment
-- (publicized, 公示) and designated under its 文号; its enterprises are candidates until then,
-- outside coverage and visit cadence, and become active contact points when it is designated.
CREATE TABLE designation_batches (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL CHECK (btrim(name) <> ''),
    document_no  TEXT,
    published_on DATE,
    status       TEXT NOT NULL DEFAULT 'candidate'
                 CHECK (status IN ('candidate', 'publicized', 'designated')),
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT designation_batches_name_key UNIQUE (name)
);
CREATE INDEX designation_batches_created_idx ON designation_batches (created_at DESC, id DESC);

ALTER TABLE enterprises ADD COLUMN designation_batch_id UUID REFERENCES designation_batches (id);
CREATE INDEX enterprises_designation_batch_idx ON enterprises (designation_batch_id)
    WHERE designation_batch_id IS NOT NULL;
ALTER TABLE enterprises
    DROP CONSTRAINT enterprises_status_check,
    ADD CONSTRAINT enterprises_status_check
        CHECK (status IN ('active', 'suspended', 'withdrawn', 'candidate'));
