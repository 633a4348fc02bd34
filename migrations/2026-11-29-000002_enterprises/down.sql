DROP TABLE enterprise_contacts;
DROP TABLE enterprises;
