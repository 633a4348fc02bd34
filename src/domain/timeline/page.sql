-- A page (plus one row) of an enterprise's timeline, newest first: each source's own page
-- by its (moment, id) index, merged. A visit's moment is its day at 00:00 China Standard Time,
-- as is a designation's or a withdrawal's (an enterprise has a few: no index needed).
-- $1 enterprise id, $2 and $3 the cursor's moment and id (null: from the newest), $4 rows.
SELECT * FROM (
    (SELECT (v.visited_on::timestamp AT TIME ZONE 'Asia/Shanghai') AS at, 'visit' AS item_type, v.id, left(v.summary, 80) AS title,
            NULL::uuid AS demand_id, v.visited_on, v.kind AS visit_kind, v.department,
            NULL::text AS from_status, NULL::text AS to_status, v.purpose AS note,
            v.created_by AS actor, NULL::text AS satisfaction,
            NULL::uuid AS support_measure_id, NULL::numeric AS amount, NULL::uuid AS benefit_id
     FROM visits v
     WHERE v.enterprise_id = $1
       AND ($2::timestamptz IS NULL OR ((v.visited_on::timestamp AT TIME ZONE 'Asia/Shanghai'), v.id) < ($2, $3))
     ORDER BY v.visited_on DESC, v.id DESC
     LIMIT $4)
    UNION ALL
    (SELECT e.at, 'demand_event', e.id, d.title,
            e.demand_id, NULL::date, e.kind, e.assigned_department,
            e.from_status, e.to_status, e.note, e.actor, e.satisfaction, NULL::uuid, NULL::numeric, NULL::uuid
     FROM demand_events e JOIN demands d ON d.id = e.demand_id
     WHERE e.enterprise_id = $1
       AND ($2::timestamptz IS NULL OR (e.at, e.id) < ($2, $3))
     ORDER BY e.at DESC, e.id DESC
     LIMIT $4)
    UNION ALL
    (SELECT m.created_at, 'support_measure', m.id, m.title,
            NULL::uuid, NULL::date, m.kind, m.department,
            NULL::text, m.status, m.document_no, m.created_by, NULL::text, m.id, m.amount, NULL::uuid
     FROM support_measures m
     WHERE m.enterprise_id = $1
       AND ($2::timestamptz IS NULL OR (m.created_at, m.id) < ($2, $3))
     ORDER BY m.created_at DESC, m.id DESC
     LIMIT $4)
    UNION ALL
    (SELECT p.created_at, 'disbursement', p.id, m.title,
            NULL::uuid, NULL::date, m.kind, m.department,
            NULL::text, NULL::text, p.voucher_no, p.created_by, NULL::text, m.id, p.amount, NULL::uuid
     FROM disbursements p JOIN support_measures m ON m.id = p.measure_id
     WHERE m.enterprise_id = $1
       AND ($2::timestamptz IS NULL OR (p.created_at, p.id) < ($2, $3))
     ORDER BY p.created_at DESC, p.id DESC
     LIMIT $4)
    UNION ALL
    (SELECT e.at, 'benefit_event', e.id, pol.title,
            NULL::uuid, NULL::date, NULL::text, b.responsible_department,
            e.from_status, e.to_status, e.note, e.actor, NULL::text, NULL::uuid,
            e.realized_amount, e.benefit_id
     FROM benefit_events e
     JOIN policy_benefits b ON b.id = e.benefit_id
     JOIN policies pol ON pol.id = b.policy_id
     WHERE e.enterprise_id = $1
       AND ($2::timestamptz IS NULL OR (e.at, e.id) < ($2, $3))
     ORDER BY e.at DESC, e.id DESC
     LIMIT $4)
    UNION ALL
    (SELECT (g.on_date::timestamp AT TIME ZONE 'Asia/Shanghai'), 'designation', g.id,
            CASE g.kind WHEN 'designated' THEN '认定为联系点企业' ELSE '撤销联系点企业认定' END
              || COALESCE('（' || g.document_no || '）', ''),
            NULL::uuid, NULL::date, g.kind, NULL::text,
            NULL::text, NULL::text, g.reason, g.actor, NULL::text, NULL::uuid, NULL::numeric, NULL::uuid
     FROM enterprise_designations g
     WHERE g.enterprise_id = $1
       AND ($2::timestamptz IS NULL
            OR ((g.on_date::timestamp AT TIME ZONE 'Asia/Shanghai'), g.id) < ($2, $3))
     ORDER BY 1 DESC, g.id DESC
     LIMIT $4)
) t
ORDER BY at DESC, id DESC
LIMIT $4
