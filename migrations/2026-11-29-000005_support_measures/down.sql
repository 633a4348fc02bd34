DROP TABLE disbursements;
DROP TABLE support_measures;
