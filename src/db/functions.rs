//! SQL functions the migrations define, for diesel's query builder (a built query is prepared
//! once per connection and reused; a raw `sql_query` is prepared again on every call).

use diesel::sql_types::{Jsonb, Nullable, Text, Uuid};

diesel::define_sql_function! {
    /// Writes an event and queues its webhook deliveries (migration 000020); its `seq`.
    #[allow(clippy::too_many_arguments)]
    fn emit_event(
        event_type: Text,
        actor_id: Nullable<Uuid>,
        actor_kind: Nullable<Text>,
        department: Nullable<Text>,
        enterprise_id: Nullable<Uuid>,
        subject_type: Text,
        subject_id: Text,
        data: Jsonb,
        transition_from: Nullable<Text>,
        transition_to: Nullable<Text>,
    ) -> diesel::sql_types::BigInt;
}

diesel::define_sql_function! {
    /// PostgreSQL's `upper`: 文号 and voucher numbers are unique in any letter case (their
    /// unique indexes are on `upper(…)`).
    fn upper(text: Nullable<Text>) -> Nullable<Text>;
}
