-- Voucher numbers are stored NFKC-normalized and trimmed, without invisible characters (the
-- service does that), and are unique per measure in any letter case: 记-2025-0032 and
-- 记-2025-0032 with a zero-width space, or with lower-case letters, are one voucher.
ALTER TABLE disbursements DROP CONSTRAINT disbursements_voucher_key;
CREATE UNIQUE INDEX disbursements_voucher_key ON disbursements (measure_id, upper(voucher_no));
