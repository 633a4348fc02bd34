// @generated automatically by Diesel CLI.

diesel::table! {
    api_clients (id) {
        id -> Uuid,
        client_id -> Text,
        name -> Text,
        secret_hash -> Bytea,
        department -> Text,
        roles -> Array<Text>,
        disabled -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Uuid,
        at -> Timestamptz,
        actor -> Nullable<Uuid>,
        actor_kind -> Text,
        department -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        changes -> Jsonb,
        request_id -> Nullable<Text>,
        event_seq -> Nullable<Int8>,
    }
}

diesel::table! {
    benefit_events (id) {
        id -> Uuid,
        benefit_id -> Uuid,
        enterprise_id -> Uuid,
        at -> Timestamptz,
        actor -> Nullable<Uuid>,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
        realized_amount -> Nullable<Numeric>,
        realized_on -> Nullable<Date>,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        kind -> Text,
    }
}

diesel::table! {
    categories (code) {
        code -> Text,
        name -> Text,
        sort_order -> Int4,
    }
}

diesel::table! {
    demand_events (id) {
        id -> Uuid,
        demand_id -> Uuid,
        enterprise_id -> Uuid,
        at -> Timestamptz,
        actor -> Nullable<Uuid>,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
        assigned_department -> Nullable<Text>,
        satisfaction -> Nullable<Text>,
        kind -> Text,
    }
}

diesel::table! {
    demand_extensions (id) {
        id -> Uuid,
        demand_id -> Uuid,
        requested_by -> Uuid,
        requested_at -> Timestamptz,
        new_due_on -> Date,
        reason -> Text,
        status -> Text,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        decision_note -> Nullable<Text>,
    }
}

diesel::table! {
    demand_follow_ups (id) {
        id -> Uuid,
        demand_id -> Uuid,
        enterprise_id -> Uuid,
        by_user -> Uuid,
        department -> Text,
        at -> Timestamptz,
        method -> Text,
        contact_id -> Nullable<Uuid>,
        rating -> Text,
        comment -> Nullable<Text>,
    }
}

diesel::table! {
    demand_time_limits (category, urgency) {
        category -> Text,
        urgency -> Text,
        working_days -> Int4,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    demands (id) {
        id -> Uuid,
        enterprise_id -> Uuid,
        visit_id -> Nullable<Uuid>,
        category -> Text,
        title -> Text,
        description -> Nullable<Text>,
        assigned_department -> Text,
        due_on -> Nullable<Date>,
        status -> Text,
        resolution -> Nullable<Text>,
        satisfaction -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        raised_by -> Nullable<Uuid>,
        raising_department -> Text,
        co_departments -> Array<Text>,
        urgency -> Text,
        accepted_at -> Nullable<Timestamptz>,
        resolved_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        urges -> Int4,
        follow_ups -> Int4,
        escalated_at -> Nullable<Timestamptz>,
        escalation_level -> Nullable<Int2>,
        overdue_noticed_for -> Nullable<Date>,
    }
}

diesel::table! {
    departments (code) {
        code -> Text,
        name -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        level -> Text,
        region_code -> Nullable<Text>,
        aliases -> Array<Text>,
        active -> Bool,
    }
}

diesel::table! {
    designation_batches (id) {
        id -> Uuid,
        name -> Text,
        document_no -> Nullable<Text>,
        published_on -> Nullable<Date>,
        status -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    disbursements (id) {
        id -> Uuid,
        measure_id -> Uuid,
        amount -> Numeric,
        paid_on -> Date,
        voucher_no -> Text,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        reverses_id -> Nullable<Uuid>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    enterprise_contacts (id) {
        id -> Uuid,
        enterprise_id -> Uuid,
        name -> Text,
        title -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    enterprise_designations (id) {
        id -> Uuid,
        enterprise_id -> Uuid,
        kind -> Text,
        on_date -> Date,
        document_no -> Nullable<Text>,
        reason -> Nullable<Text>,
        actor -> Nullable<Uuid>,
        at -> Timestamptz,
    }
}

diesel::table! {
    enterprise_last_visits (enterprise_id) {
        enterprise_id -> Uuid,
        status -> Text,
        last_visited_on -> Date,
    }
}

diesel::table! {
    enterprises (id) {
        id -> Uuid,
        name -> Text,
        credit_code -> Text,
        credit_code_override_reason -> Nullable<Text>,
        region_code -> Text,
        category -> Text,
        subcategory -> Nullable<Text>,
        size -> Text,
        lead_department -> Text,
        legal_representative -> Nullable<Text>,
        address -> Nullable<Text>,
        key_products -> Array<Text>,
        designated_on -> Date,
        designation_batch -> Nullable<Text>,
        status -> Text,
        assigned_departments -> Array<Text>,
        liaison_officers -> Array<Uuid>,
        tags -> Array<Text>,
        employees -> Nullable<Int4>,
        description -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        visit_cadence_days -> Nullable<Int4>,
        unvisited_noticed_for -> Nullable<Date>,
        withdrawal_reason -> Nullable<Text>,
        withdrawn_on -> Nullable<Date>,
        withdrawal_document_no -> Nullable<Text>,
        designation_batch_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    events (txid, seq) {
        txid -> Int8,
        seq -> Int8,
        #[sql_name = "type"]
        type_ -> Text,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_kind -> Nullable<Text>,
        department -> Nullable<Text>,
        enterprise_id -> Nullable<Uuid>,
        subject_type -> Text,
        subject_id -> Text,
        data -> Jsonb,
        transition_from -> Nullable<Text>,
        transition_to -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (actor, key) {
        actor -> Uuid,
        key -> Text,
        request_hash -> Bytea,
        status_code -> Nullable<Int4>,
        response_headers -> Nullable<Jsonb>,
        response_body -> Nullable<Bytea>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    indicators (enterprise_id, quarter) {
        enterprise_id -> Uuid,
        quarter -> Text,
        revenue -> Nullable<Numeric>,
        emergency_revenue -> Nullable<Numeric>,
        output_value -> Nullable<Numeric>,
        profit -> Nullable<Numeric>,
        rd_expense -> Nullable<Numeric>,
        export_value -> Nullable<Numeric>,
        employees -> Nullable<Int4>,
        version -> Int4,
        created_by -> Nullable<Uuid>,
        updated_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Int8,
        username -> Nullable<Text>,
        client_addr -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    policies (id) {
        id -> Uuid,
        title -> Text,
        issuer -> Text,
        issued_on -> Date,
        document_no -> Nullable<Text>,
        effective_from -> Nullable<Date>,
        effective_until -> Nullable<Date>,
        summary -> Nullable<Text>,
        benefit_kind -> Nullable<Text>,
        responsible_departments -> Array<Text>,
        categories -> Array<Text>,
        sizes -> Array<Text>,
        region_codes -> Array<Text>,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        claimable -> Bool,
    }
}

diesel::table! {
    policy_benefits (id) {
        id -> Uuid,
        enterprise_id -> Uuid,
        policy_id -> Uuid,
        responsible_department -> Text,
        status -> Text,
        expected_amount -> Nullable<Numeric>,
        realized_amount -> Nullable<Numeric>,
        realized_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        token_hash -> Bytea,
        family_id -> Uuid,
        user_id -> Uuid,
        issued_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Text,
        level -> Text,
        parent_code -> Nullable<Text>,
    }
}

diesel::table! {
    subcategories (category_code, code) {
        category_code -> Text,
        code -> Text,
        name -> Text,
        sort_order -> Int4,
    }
}

diesel::table! {
    support_measures (id) {
        id -> Uuid,
        enterprise_id -> Uuid,
        department -> Text,
        kind -> Text,
        title -> Text,
        fiscal_year -> Int4,
        amount -> Nullable<Numeric>,
        policy_id -> Nullable<Uuid>,
        document_no -> Nullable<Text>,
        status -> Text,
        approved_on -> Nullable<Date>,
        disbursed_amount -> Numeric,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        username -> Text,
        display_name -> Nullable<Text>,
        password_hash -> Text,
        department -> Text,
        roles -> Array<Text>,
        disabled -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    visits (id) {
        id -> Uuid,
        enterprise_id -> Uuid,
        department -> Text,
        visited_on -> Date,
        kind -> Text,
        officers -> Array<Uuid>,
        summary -> Text,
        participants -> Nullable<Text>,
        purpose -> Nullable<Text>,
        findings -> Nullable<Text>,
        next_visit_on -> Nullable<Date>,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        contacts_met -> Array<Uuid>,
        checklist -> Array<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        webhook_id -> Uuid,
        event_txid -> Int8,
        event_seq -> Int8,
        event_type -> Text,
        status -> Text,
        attempts -> Int4,
        last_status_code -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        next_attempt_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        window_from -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Uuid,
        url -> Text,
        event_types -> Array<Text>,
        departments -> Array<Text>,
        description -> Nullable<Text>,
        active -> Bool,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamptz>,
        failing_since -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::joinable!(api_clients -> departments (department));
diesel::joinable!(benefit_events -> enterprises (enterprise_id));
diesel::joinable!(benefit_events -> policy_benefits (benefit_id));
diesel::joinable!(demand_events -> demands (demand_id));
diesel::joinable!(demand_events -> enterprises (enterprise_id));
diesel::joinable!(demand_extensions -> demands (demand_id));
diesel::joinable!(demand_follow_ups -> demands (demand_id));
diesel::joinable!(demand_follow_ups -> departments (department));
diesel::joinable!(demand_follow_ups -> enterprise_contacts (contact_id));
diesel::joinable!(demand_follow_ups -> enterprises (enterprise_id));
diesel::joinable!(demands -> enterprises (enterprise_id));
diesel::joinable!(demands -> users (raised_by));
diesel::joinable!(demands -> visits (visit_id));
diesel::joinable!(departments -> regions (region_code));
diesel::joinable!(disbursements -> support_measures (measure_id));
diesel::joinable!(enterprise_contacts -> enterprises (enterprise_id));
diesel::joinable!(enterprise_designations -> enterprises (enterprise_id));
diesel::joinable!(enterprise_last_visits -> enterprises (enterprise_id));
diesel::joinable!(enterprises -> categories (category));
diesel::joinable!(enterprises -> departments (lead_department));
diesel::joinable!(enterprises -> designation_batches (designation_batch_id));
diesel::joinable!(enterprises -> regions (region_code));
diesel::joinable!(indicators -> enterprises (enterprise_id));
diesel::joinable!(policy_benefits -> departments (responsible_department));
diesel::joinable!(policy_benefits -> enterprises (enterprise_id));
diesel::joinable!(policy_benefits -> policies (policy_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(subcategories -> categories (category_code));
diesel::joinable!(support_measures -> departments (department));
diesel::joinable!(support_measures -> enterprises (enterprise_id));
diesel::joinable!(support_measures -> policies (policy_id));
diesel::joinable!(users -> departments (department));
diesel::joinable!(visits -> departments (department));
diesel::joinable!(visits -> enterprises (enterprise_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_clients,
    audit_events,
    benefit_events,
    calendar_days,
    categories,
    demand_events,
    demand_extensions,
    demand_follow_ups,
    demand_time_limits,
    demands,
    departments,
    designation_batches,
    disbursements,
    enterprise_contacts,
    enterprise_designations,
    enterprise_last_visits,
    enterprises,
    events,
    idempotency_keys,
    indicators,
    login_failures,
    policies,
    policy_benefits,
    refresh_tokens,
    regions,
    subcategories,
    support_measures,
    users,
    visits,
    webhook_deliveries,
    webhooks,
);
