DROP TABLE enterprise_designations;
ALTER TABLE enterprises
    DROP COLUMN withdrawal_document_no,
    DROP COLUMN withdrawn_on,
    DROP COLUMN withdrawal_reason;
