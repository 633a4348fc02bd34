DROP TABLE demand_events;
DROP TABLE demands;
DROP TABLE visits;
