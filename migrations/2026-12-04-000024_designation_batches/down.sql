UPDATE enterprises SET status = 'suspended' WHERE status = 'candidate';
ALTER TABLE enterprises
    DROP CONSTRAINT enterprises_status_check,
    ADD CONSTRAINT enterprises_status_check CHECK (status IN ('active', 'suspended', 'withdrawn'));
ALTER TABLE enterprises DROP COLUMN designation_batch_id;
DROP TABLE designation_batches;
