-- Money integrity (issue 18): one measure per 文号 and enterprise, payments on or after their
-- approval, reversals (红字冲销) instead of deletions, and policies that can be claimed.

-- A 文号 is compared as a voucher number is: stored trimmed and NFKC-normalized by the service,
-- and compared here in any letter case. A blank one is none.
UPDATE support_measures SET document_no = NULL WHERE btrim(document_no) = '';

-- Measures recorded twice before this rule existed must be settled by finance first (one of
-- them cancelled or its 文号 corrected): the migration names them rather than guess.
DO $$
DECLARE
    twice TEXT;
BEGIN
    SELECT string_agg(format('enterprise %s, 文号 %s', enterprise_id, upper(document_no)), '; ')
      INTO twice
      FROM (SELECT enterprise_id, upper(document_no) AS document_no
              FROM support_measures
             WHERE document_no IS NOT NULL AND status <> 'cancelled'
             GROUP BY 1, 2 HAVING count(*) > 1) AS duplicates;
    IF twice IS NOT NULL THEN
        RAISE EXCEPTION 'support measures recorded twice under one 文号: %', twice
            USING HINT = 'cancel the extra measure or correct its document_no, then migrate again';
    END IF;
END
$$;

-- A cancelled measure (recorded in error) frees its 文号 for the corrected one.
CREATE UNIQUE INDEX support_measures_document_key
    ON support_measures (enterprise_id, upper(document_no))
    WHERE document_no IS NOT NULL AND status <> 'cancelled';

-- A reversal is a negative entry that names the payment it cancels, with the reason; it keeps
-- the payment's voucher number. A payment is reversed at most once, a reversal never.
ALTER TABLE disbursements
    ADD COLUMN reverses_id UUID REFERENCES disbursements (id),
    ADD COLUMN reason TEXT,
    DROP CONSTRAINT disbursements_amount_check,
    ADD CONSTRAINT disbursements_entry_check CHECK (
        (reverses_id IS NULL AND amount > 0 AND reason IS NULL)
        OR (reverses_id IS NOT NULL AND amount < 0 AND btrim(reason) <> ''));
CREATE UNIQUE INDEX disbursements_reversal_key ON disbursements (reverses_id)
    WHERE reverses_id IS NOT NULL;
DROP INDEX disbursements_voucher_key;
CREATE UNIQUE INDEX disbursements_voucher_key ON disbursements (measure_id, upper(voucher_no))
    WHERE reverses_id IS NULL;

-- Framework documents (the State Council's opinion and the provincial plan) set direction;
-- nothing is claimed under them, so eligibility never offers them.
ALTER TABLE policies ADD COLUMN claimable BOOLEAN NOT NULL DEFAULT true;
UPDATE policies SET claimable = false
 WHERE id IN ('6f1c8a52-3b0e-4d7a-9a61-2014063a0001', '6f1c8a52-3b0e-4d7a-9a61-2015036a0002');

-- Eligibility asks whether the enterprise was paid under a policy.
CREATE INDEX support_measures_enterprise_policy_idx ON support_measures (enterprise_id, policy_id)
    WHERE policy_id IS NOT NULL;
