//! `/api/v1/enterprises`: designation, profile edits, withdrawal, lists, concurrency, audit.

use liaison::domain::actor::Role;
use liaison::domain::enterprises::model::{Enterprise, EnterpriseStatus};
use serde_json::{Value, json};

use crate::common::{TestApp, credit_code, enterprise_body};

fn ids(resp: &crate::common::Resp) -> Vec<String> {
    let page = resp.page::<Enterprise>().items;
    page.into_iter().map(|e| e.name).collect()
}

#[actix_web::test]
async fn admin_designates_an_enterprise_with_defaults() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let body = enterprise_body(
        1,
        json!({"credit_code": credit_code(1).to_lowercase(), "assigned_departments": ["fgw"]}),
    );
    let resp = app.post("/api/v1/enterprises", &admin.token, body).await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let e = resp.json::<Enterprise>();
    let id = &e.id.to_string();
    assert_eq!(
        resp.header("location"),
        Some(format!("/api/v1/enterprises/{id}"))
    );
    assert_eq!(resp.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(e.credit_code, credit_code(1), "lower case is normalised");
    assert_eq!(e.status, EnterpriseStatus::Active);
    assert_eq!(
        e.assigned_departments,
        ["gxw", "fgw"],
        "the lead is always assigned"
    );
    assert!(e.liaison_officers.is_empty() && e.key_products.is_empty());
    assert_eq!(e.version, 1);
    let read = app
        .get(&format!("/api/v1/enterprises/{id}"), &admin.token)
        .await;
    assert_eq!(read.body, resp.body);
    let events = app.audit_of("enterprise", id).await;
    assert_eq!(events[0].action, "create");
    assert_eq!(
        events[0].changes["name"]["after"],
        "江西赣安应急装备有限公司1"
    );
}

#[actix_web::test]
async fn only_admins_designate() {
    let app = TestApp::new().await;
    for role in [Role::Liaison, Role::Finance, Role::Analyst] {
        let user = app.user("gxw", &[role]).await;
        let resp = app
            .post(
                "/api/v1/enterprises",
                &user.token,
                enterprise_body(2, json!({})),
            )
            .await;
        assert_eq!(resp.status, 403, "{role:?}");
    }
    assert_eq!(
        app.call(
            "POST",
            "/api/v1/enterprises",
            None,
            Some(&enterprise_body(2, json!({})))
        )
        .await
        .status,
        401
    );
    assert_eq!(app.count("enterprises").await, 0);
}

#[actix_web::test]
async fn every_bad_field_is_named_at_once_and_nothing_is_stored() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let other_dept_officer = app.user("czt", &[Role::Liaison]).await;
    let body = enterprise_body(
        3,
        json!({
            "name": " ",
            "credit_code": "913601OOOO",
            "region_code": "110000",
            "subcategory": "natural_disaster",
            "liaison_officers": [other_dept_officer.id],
            "employees": -5,
            "designated_on": "2098-01-01",
        }),
    );
    let resp = app.post("/api/v1/enterprises", &admin.token, body).await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    let mut fields = resp.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "credit_code",
            "designated_on",
            "employees",
            "liaison_officers[0]",
            "name",
            "region_code",
            "subcategory"
        ]
    );
    assert_eq!(app.count("enterprises").await, 0);
    assert_eq!(
        app.count("audit_events WHERE entity = 'enterprise'").await,
        0
    );

    let missing = app
        .post(
            "/api/v1/enterprises",
            &admin.token,
            json!({"name": "只有名字"}),
        )
        .await;
    assert_eq!(missing.status, 422);
    let mut fields = missing.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "category",
            "credit_code",
            "lead_department",
            "region_code",
            "size"
        ]
    );
}

/// The lead department counts among the assigned: twenty others and the lead are one too many,
/// whether by create or by patch, and the enterprise shows at most the documented twenty.
#[actix_web::test]
async fn at_most_twenty_assigned_departments_the_lead_included() {
    use liaison::domain::departments::model::Department;
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let departments = app.get("/api/v1/departments", &admin.token).await;
    let others: Vec<String> = (departments.page::<Department>().items.into_iter())
        .map(|d| d.code)
        .filter(|code| code != "gxw")
        .take(20)
        .collect();
    assert_eq!(others.len(), 20);
    let body = enterprise_body(7, json!({"assigned_departments": others}));
    let refused = app.post("/api/v1/enterprises", &admin.token, body).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.error_fields(), ["assigned_departments"]);
    assert_eq!(app.count("enterprises").await, 0);

    let body = enterprise_body(7, json!({"assigned_departments": others[..19]}));
    let created = app.post("/api/v1/enterprises", &admin.token, body).await;
    let enterprise = created.json::<Enterprise>();
    assert_eq!(enterprise.assigned_departments.len(), 20);
    let path = format!("/api/v1/enterprises/{}", enterprise.id);
    let patch = json!({"lead_department": others[19]});
    let resp = app.patch(&path, &admin.token, patch).await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    assert_eq!(resp.error_fields(), ["assigned_departments"]);
}

#[actix_web::test]
async fn credit_codes_are_checked_and_only_admins_override() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let good = credit_code(4);
    let wrong_check = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('0') { '1' } else { '0' }
    );
    let resp = app
        .post(
            "/api/v1/enterprises",
            &admin.token,
            enterprise_body(4, json!({"credit_code": wrong_check})),
        )
        .await;
    assert_eq!(resp.status, 422);
    assert_eq!(resp.error_codes()[0], "invalid_checksum");

    let reason = "营业执照所载代码校验位有误，经市场监管局核实";
    let resp = app
        .post(
            "/api/v1/enterprises",
            &admin.token,
            enterprise_body(
                4,
                json!({"credit_code": wrong_check, "credit_code_override_reason": reason}),
            ),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    assert_eq!(resp.json::<Enterprise>().credit_code, wrong_check);
    let id = resp.id();
    let events = app.audit_of("enterprise", &id).await;
    assert_eq!(
        events[0].changes["credit_code_override_reason"]["after"],
        reason
    );

    // The same code again is a conflict, whatever its case.
    let dup = app
        .post(
            "/api/v1/enterprises",
            &admin.token,
            enterprise_body(5, json!({"credit_code": good.to_lowercase()})),
        )
        .await;
    assert_eq!(dup.status, 201);
    let dup = app
        .post(
            "/api/v1/enterprises",
            &admin.token,
            enterprise_body(6, json!({"credit_code": good})),
        )
        .await;
    assert_eq!(dup.status, 409);

    // A liaison officer may not override, nor store a failing code.
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let path = format!("/api/v1/enterprises/{id}");
    let resp = app
        .patch(
            &path,
            &officer.token,
            json!({"credit_code_override_reason": "我也想"}),
        )
        .await;
    assert_eq!(resp.status, 403);
    let other = app.enterprise(&admin, 7, json!({})).await;
    let other_path = format!("/api/v1/enterprises/{}", other.id);
    let third = credit_code(8);
    let failing = format!(
        "{}{}",
        &third[..17],
        if third.ends_with('0') { '1' } else { '0' }
    );
    let resp = app
        .patch(&other_path, &officer.token, json!({"credit_code": failing}))
        .await;
    assert_eq!(resp.status, 422);
}

#[actix_web::test]
async fn liaison_officers_of_assigned_departments_edit_the_profile_only() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app
        .enterprise(&admin, 10, json!({"assigned_departments": ["gxw", "kjt"]}))
        .await;
    let path = format!("/api/v1/enterprises/{}", e.id);
    let kjt = app.user("kjt", &[Role::Liaison]).await;
    let resp = app.patch(&path, &kjt.token, json!({"address": "南昌市高新区火炬大街 1 号", "key_products": ["应急救生舱"], "employees": 320})).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(
        resp.json::<Enterprise>()
            .address
            .map(|v| v.to_string())
            .as_deref(),
        Some("南昌市高新区火炬大街 1 号")
    );
    assert_eq!(resp.json::<Enterprise>().version, 2);

    for admin_only in [
        json!({"status": "suspended"}),
        json!({"assigned_departments": ["kjt"]}),
        json!({"lead_department": "kjt"}),
        json!({"liaison_officers": [kjt.id]}),
        json!({"designated_on": "2024-01-01"}),
    ] {
        let resp = app.patch(&path, &kjt.token, admin_only.clone()).await;
        assert_eq!(resp.status, 403, "{admin_only}");
    }
    let czt = app.user("czt", &[Role::Liaison]).await;
    assert_eq!(
        app.patch(&path, &czt.token, json!({"address": "别处"}))
            .await
            .status,
        403,
        "not an assigned department"
    );
    for role in [Role::Finance, Role::Analyst] {
        let user = app.user("gxw", &[role]).await;
        assert_eq!(
            app.patch(&path, &user.token, json!({"address": "别处"}))
                .await
                .status,
            403
        );
        // The role check comes before the body.
        let resp = app
            .send(
                "PATCH",
                &path,
                Some(&user.token),
                &[],
                Some(("application/json", "{".into())),
            )
            .await;
        assert_eq!(resp.status, 403);
    }

    // Admins reassign; officers must belong to an assigned department.
    let resp = app
        .patch(&path, &admin.token, json!({"liaison_officers": [czt.id]}))
        .await;
    assert_eq!(resp.status, 422);
    assert_eq!(resp.error_fields(), vec!["liaison_officers[0]"]);
    let resp = app
        .patch(
            &path,
            &admin.token,
            json!({"lead_department": "czt", "liaison_officers": [czt.id, kjt.id]}),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(
        resp.json::<Enterprise>().assigned_departments,
        ["czt", "gxw", "kjt"]
    );
    assert_eq!(
        app.patch(&path, &czt.token, json!({"address": "新址"}))
            .await
            .status,
        200,
        "czt is assigned now"
    );
}

#[actix_web::test]
async fn withdrawal_keeps_the_record_and_is_admin_only() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 11, json!({})).await;
    let path = format!("/api/v1/enterprises/{}", e.id);
    let officer = app.user("gxw", &[Role::Liaison]).await;
    assert_eq!(
        app.call("DELETE", &path, Some(&officer.token), None)
            .await
            .status,
        403
    );
    let stale = app
        .send(
            "DELETE",
            &path,
            Some(&admin.token),
            &[("If-Match", "\"7\"")],
            None,
        )
        .await;
    assert_eq!(stale.status, 412);
    // Bad input is named before a stale version: fixing it is the caller's next step.
    let long_reason = json!({"reason": "理".repeat(1001)}).to_string();
    let stale_and_bad = app
        .send(
            "DELETE",
            &path,
            Some(&admin.token),
            &[("If-Match", "\"7\"")],
            Some(("application/json", long_reason)),
        )
        .await;
    assert_eq!(
        (stale_and_bad.status, stale_and_bad.error_fields()),
        (422, vec!["reason".to_owned()])
    );
    assert_eq!(
        app.call("DELETE", &path, Some(&admin.token), None)
            .await
            .status,
        204
    );
    let read = app.get(&path, &officer.token).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json::<Enterprise>().status.to_string(), "withdrawn");
    let events = app.audit_of("enterprise", &e.id.to_string()).await;
    assert_eq!(events.last().unwrap().action, "delete");
    assert_eq!(
        events.last().unwrap().changes["status"],
        json!({"before": "active", "after": "withdrawn"})
    );
    assert_eq!(
        app.call(
            "DELETE",
            "/api/v1/enterprises/00000000-0000-0000-0000-000000000000",
            Some(&admin.token),
            None
        )
        .await
        .status,
        404
    );
}

#[actix_web::test]
async fn two_officials_never_overwrite_each_other_silently() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 12, json!({})).await;
    let path = format!("/api/v1/enterprises/{}", e.id);
    let a = app.user("gxw", &[Role::Liaison]).await;
    let b = app.user("gxw", &[Role::Liaison]).await;
    let etag = app.get(&path, &a.token).await.header("etag").unwrap();
    let first = app
        .send(
            "PATCH",
            &path,
            Some(&a.token),
            &[("If-Match", &etag)],
            Some((
                "application/merge-patch+json",
                json!({"employees": 100}).to_string(),
            )),
        )
        .await;
    assert_eq!(first.status, 200);
    let second = app
        .send(
            "PATCH",
            &path,
            Some(&b.token),
            &[("If-Match", &etag)],
            Some((
                "application/merge-patch+json",
                json!({"employees": 200}).to_string(),
            )),
        )
        .await;
    assert_eq!(second.status, 412);
    let stored = app.get(&path, &a.token).await.json::<Enterprise>();
    assert_eq!(stored.employees, Some(100));

    for owned in [
        json!({"id": "x"}),
        json!({"version": 9}),
        json!({"created_at": "2020-01-01T00:00:00Z"}),
        json!({"colour": "red"}),
    ] {
        let resp = app.patch(&path, &admin.token, owned.clone()).await;
        assert_eq!(resp.status, 422, "{owned}");
    }
    let resp = app
        .patch(&path, &admin.token, json!({"name": null, "size": "huge"}))
        .await;
    assert_eq!(resp.status, 422);
    let stored = app.get(&path, &a.token).await.json::<Enterprise>();
    assert_eq!(stored.version, 2);
}

async fn seed_list(app: &TestApp) -> (crate::common::TestUser, Value) {
    let admin = app.admin().await;
    let officer = app.user("kjt", &[Role::Liaison]).await;
    let rows = [
        (
            "南昌安泰消防科技有限公司",
            "360121",
            "rescue_disposal",
            "large",
            vec!["gxw"],
            vec!["消防"],
            "2023-05-01",
        ),
        (
            "景德镇瓷都应急服务有限公司",
            "360200",
            "emergency_services",
            "small",
            vec!["gxw", "kjt"],
            vec!["服务"],
            "2024-02-01",
        ),
        (
            "九江庐山防护用品有限公司",
            "360402",
            "prevention_protection",
            "medium",
            vec!["gxw"],
            vec![],
            "2025-03-01",
        ),
        (
            "南昌红谷监测预警技术有限公司",
            "360113",
            "monitoring_warning",
            "micro",
            vec!["gxw", "kjt"],
            vec!["消防", "北斗"],
            "2025-07-01",
        ),
    ];
    for (i, (name, region, category, size, depts, tags, designated)) in rows.iter().enumerate() {
        let officers: Vec<uuid::Uuid> = if depts.contains(&"kjt") {
            vec![officer.id]
        } else {
            vec![]
        };
        app.enterprise(&admin, 100 + i as u32, json!({
            "name": name, "region_code": region, "category": category, "subcategory": null, "size": size,
            "assigned_departments": depts, "tags": tags, "designated_on": designated, "liaison_officers": officers,
        }))
        .await;
    }
    (admin, json!({"officer": officer.id}))
}

#[actix_web::test]
async fn list_filters_search_and_sorts() {
    let app = TestApp::new().await;
    let (admin, extra) = seed_list(&app).await;
    let analyst = app.user("tjj", &[Role::Analyst]).await;
    let t = &analyst.token;
    let all = app.get("/api/v1/enterprises", t).await;
    assert_eq!(all.status, 200);
    assert_eq!(
        ids(&all),
        vec![
            "九江庐山防护用品有限公司",
            "南昌安泰消防科技有限公司",
            "南昌红谷监测预警技术有限公司",
            "景德镇瓷都应急服务有限公司"
        ]
    );
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "q=%E5%BA%90%E5%B1%B1%E9%98%B2%E6%8A%A4",
            vec!["九江庐山防护用品有限公司"],
        ), // 庐山防护
        (
            "q=%E5%8D%97%E6%98%8C",
            vec!["南昌安泰消防科技有限公司", "南昌红谷监测预警技术有限公司"],
        ), // 南昌
        ("q=%E7%BA%A2%E8%B0%B7", vec!["南昌红谷监测预警技术有限公司"]), // 红谷: two characters, from inside the name
        (
            "q=%E5%85%AC%E5%8F%B8",
            vec![
                "九江庐山防护用品有限公司",
                "南昌安泰消防科技有限公司",
                "南昌红谷监测预警技术有限公司",
                "景德镇瓷都应急服务有限公司",
            ],
        ), // 公司
        ("q=%E7%93%B7", vec!["景德镇瓷都应急服务有限公司"]),            // 瓷: one character
        ("q=%E8%B0%B7%E5%8D%97", vec![]), // 谷南: both characters are there, not as a piece
        (
            "region_code=360100",
            vec!["南昌安泰消防科技有限公司", "南昌红谷监测预警技术有限公司"],
        ),
        ("region_code=360121", vec!["南昌安泰消防科技有限公司"]),
        (
            "category=monitoring_warning",
            vec!["南昌红谷监测预警技术有限公司"],
        ),
        ("size=small", vec!["景德镇瓷都应急服务有限公司"]),
        (
            "department=kjt",
            vec!["南昌红谷监测预警技术有限公司", "景德镇瓷都应急服务有限公司"],
        ),
        (
            "tag=%E6%B6%88%E9%98%B2",
            vec!["南昌安泰消防科技有限公司", "南昌红谷监测预警技术有限公司"],
        ), // 消防
        (
            "designated_from=2024-01-01&designated_to=2025-03-31",
            vec!["九江庐山防护用品有限公司", "景德镇瓷都应急服务有限公司"],
        ),
        ("status=withdrawn", vec![]),
        (
            "sort=-designated_on",
            vec![
                "南昌红谷监测预警技术有限公司",
                "九江庐山防护用品有限公司",
                "景德镇瓷都应急服务有限公司",
                "南昌安泰消防科技有限公司",
            ],
        ),
    ];
    for (query, expected) in cases {
        let resp = app.get(&format!("/api/v1/enterprises?{query}"), t).await;
        assert_eq!(resp.status, 200, "{query}: {}", resp.text);
        assert_eq!(ids(&resp), expected, "{query}");
    }
    let officer = extra["officer"].as_str().unwrap();
    assert_eq!(
        ids(&app
            .get(&format!("/api/v1/enterprises?officer={officer}"), t)
            .await)
        .len(),
        2
    );
    let code_part = &credit_code(101)[12..18];
    assert_eq!(
        ids(&app
            .get(
                &format!("/api/v1/enterprises?q={}", code_part.to_lowercase()),
                t
            )
            .await),
        vec!["景德镇瓷都应急服务有限公司"]
    );
    assert_eq!(
        app.get("/api/v1/enterprises?q=%25", t)
            .await
            .page::<Enterprise>()
            .items
            .len(),
        0,
        "% is literal"
    );

    assert_eq!(
        app.get("/api/v1/enterprises?city=360100", t).await.status,
        400
    );
    assert_eq!(
        app.get("/api/v1/enterprises?limit=201", t).await.status,
        422
    );
    assert_eq!(
        app.get("/api/v1/enterprises?sort=credit_code", t)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/enterprises?size=huge", t).await.status,
        400
    );
    assert_eq!(
        app.call("GET", "/api/v1/enterprises", None, None)
            .await
            .status,
        401
    );
    drop(admin);
}

#[actix_web::test]
async fn keyset_pages_cover_every_row_once_in_every_sort() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    for i in 0..7 {
        app.enterprise(&admin, 200 + i, json!({"name": format!("企业{}", i % 3), "designated_on": format!("2025-0{}-01", 1 + i % 2)})).await;
    }
    for sort in [
        "name",
        "-name",
        "designated_on",
        "-designated_on",
        "updated_at",
        "-updated_at",
    ] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/enterprises?sort={sort}&limit=3&cursor={c}"),
                None => format!("/api/v1/enterprises?sort={sort}&limit=3"),
            };
            let resp = app.get(&path, &admin.token).await;
            assert_eq!(resp.status, 200, "{sort}: {}", resp.text);
            let page = resp.page::<Enterprise>();
            seen.extend(page.items.iter().map(|e| e.id.to_string()));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (7, 7), "{sort}");
    }
    let first = app
        .get("/api/v1/enterprises?sort=name&limit=3", &admin.token)
        .await;
    let cursor = &first.page::<Enterprise>().next_cursor.unwrap();
    assert_eq!(
        app.get(
            &format!("/api/v1/enterprises?sort=-updated_at&cursor={cursor}"),
            &admin.token
        )
        .await
        .status,
        400,
        "a cursor belongs to its sort"
    );
}

/// The plans of the main list queries use indexes, not a scan of the table.
#[actix_web::test]
async fn list_queries_are_served_by_indexes() {
    let app = TestApp::new().await;
    let client = app.db.client().await;
    client
        .batch_execute("SET enable_seqscan = off")
        .await
        .unwrap();
    let plans = [
        "SELECT * FROM enterprises WHERE name ILIKE '%应急装备%' OR credit_code ILIKE '%MA38T%' ORDER BY name, id LIMIT 51",
        "SELECT * FROM enterprises WHERE assigned_departments @> ARRAY['gxw'] ORDER BY name, id LIMIT 51",
        "SELECT * FROM enterprises WHERE (designated_on, id) < ('2025-01-01', '00000000-0000-0000-0000-000000000000') ORDER BY designated_on DESC, id DESC LIMIT 51",
        "SELECT * FROM enterprises ORDER BY updated_at, id LIMIT 51",
        "SELECT * FROM enterprise_contacts WHERE enterprise_id = '00000000-0000-0000-0000-000000000000' ORDER BY created_at, id LIMIT 51",
    ];
    for sql in plans {
        let rows = client.query(&format!("EXPLAIN {sql}"), &[]).await.unwrap();
        let plan: Vec<String> = rows.iter().map(|r| r.get::<_, String>(0)).collect();
        let plan = plan.join("\n");
        assert!(
            plan.contains("Index") && !plan.contains("Seq Scan"),
            "{sql}\n{plan}"
        );
    }
}
