DROP TABLE benefit_events;
DROP TABLE policy_benefits;
