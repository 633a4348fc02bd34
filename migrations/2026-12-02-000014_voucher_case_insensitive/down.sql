DROP INDEX disbursements_voucher_key;
ALTER TABLE disbursements ADD CONSTRAINT disbursements_voucher_key UNIQUE (measure_id, voucher_no);
