DROP INDEX support_measures_enterprise_policy_idx;
ALTER TABLE policies DROP COLUMN claimable;
DROP INDEX disbursements_voucher_key;
DELETE FROM disbursements WHERE reverses_id IS NOT NULL;
CREATE UNIQUE INDEX disbursements_voucher_key ON disbursements (measure_id, upper(voucher_no));
DROP INDEX disbursements_reversal_key;
ALTER TABLE disbursements
    DROP CONSTRAINT disbursements_entry_check,
    DROP COLUMN reason,
    DROP COLUMN reverses_id,
    ADD CONSTRAINT disbursements_amount_check CHECK (amount > 0);
DROP INDEX support_measures_document_key;
