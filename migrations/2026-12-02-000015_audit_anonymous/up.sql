-- Security events: a failed login has no actor yet; it is recorded as `anonymous`.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_kind_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_kind_check
    CHECK (actor_kind IN ('user', 'client', 'system', 'anonymous'));
