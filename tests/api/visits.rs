//! `/api/v1/visits`: logging visits with their demands, department rules, lists.

use liaison::domain::actor::Role;
use liaison::domain::demands::model::DemandStatus;
use liaison::domain::enterprises::model::Enterprise;
use liaison::domain::stats::alerts::Alert;
use liaison::domain::visits::model::Visit;
use liaison::web::api::visits::CreatedVisit;
use serde_json::{Value, json};

use crate::common::{TestApp, TestUser};

fn visit_body(enterprise: &Enterprise, officer: &TestUser, demands: Value) -> Value {
    json!({
        "enterprise_id": enterprise.id, "visited_on": "2026-11-20", "kind": "on_site",
        "officers": [officer.id], "summary": "走访企业，了解四季度订单和用工情况",
        "participants": "总经理张伟、办公室主任李娜", "purpose": "季度走访", "findings": "订单饱满，用工紧张",
        "demands": demands,
    })
}

#[actix_web::test]
async fn a_visit_and_its_demands_are_created_together() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 1, json!({})).await;
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let demands = json!([
        {"category": "financing", "title": "申请技术改造贷款贴息", "assigned_department": "czt", "due_on": "2026-12-31"},
        {"category": "talent", "title": "引进高级技工", "assigned_department": "gxw"},
    ]);
    let resp = app
        .post(
            "/api/v1/visits",
            &officer.token,
            visit_body(&e, &officer, demands),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let visit_id = resp.id();
    assert_eq!(
        resp.header("location"),
        Some(format!("/api/v1/visits/{visit_id}"))
    );
    let created = resp.json::<CreatedVisit>();
    assert_eq!(created.visit.department, "gxw", "the caller's department");
    assert_eq!(created.visit.created_by, Some(officer.id));
    let demands = created.demands;
    assert_eq!(demands.len(), 2);
    assert_eq!(demands[0].status, DemandStatus::Open);
    assert_eq!(
        demands[0].visit_id.map(|v| v.to_string()),
        Some(visit_id.clone())
    );
    assert_eq!(demands[0].assigned_department, "czt");
    assert_eq!(
        app.count("demand_events").await,
        2,
        "each demand starts with its creation event"
    );
    assert_eq!(app.audit_of("visit", &visit_id).await[0].action, "create");
}

#[actix_web::test]
async fn one_bad_demand_stores_nothing_and_is_named_by_its_path() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 2, json!({})).await;
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let demands = json!([
        {"category": "land", "title": "新增工业用地", "assigned_department": "fgw"},
        {"category": "land", "title": "  ", "assigned_department": "nope"},
        {"title": "缺类别", "assigned_department": "fgw"},
    ]);
    let resp = app
        .post(
            "/api/v1/visits",
            &officer.token,
            visit_body(&e, &officer, demands.clone()),
        )
        .await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    assert_eq!(resp.error_fields(), vec!["demands[2].category"]);
    let demands = json!([
        {"category": "land", "title": "新增工业用地", "assigned_department": "fgw"},
        {"category": "land", "title": "  ", "assigned_department": "nope"},
    ]);
    let resp = app
        .post(
            "/api/v1/visits",
            &officer.token,
            visit_body(&e, &officer, demands),
        )
        .await;
    assert_eq!(resp.status, 422);
    let mut fields = resp.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec!["demands[1].assigned_department", "demands[1].title"]
    );
    let resp = app
        .post(
            "/api/v1/visits",
            &officer.token,
            visit_body(
                &e,
                &officer,
                json!([{"category": "bribes", "title": "x", "assigned_department": "fgw"}]),
            ),
        )
        .await;
    assert_eq!(resp.status, 422);
    assert_eq!(resp.error_fields(), vec!["demands[0].category"]);
    assert_eq!(app.count("visits").await, 0);
    assert_eq!(app.count("demands").await, 0);
    assert_eq!(
        app.count("audit_events WHERE entity IN ('visit', 'demand')")
            .await,
        0
    );
}

#[actix_web::test]
async fn visit_rules_officers_enterprise_and_date() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 3, json!({})).await;
    let officer = app.user("gxw", &[Role::Liaison]).await;
    // Someone who is not a user at all.
    let stranger = uuid::Uuid::new_v4();
    let mut body = visit_body(&e, &officer, json!([]));
    body["officers"] = json!([officer.id, stranger]);
    body["visited_on"] = json!("2098-01-01");
    let resp = app.post("/api/v1/visits", &officer.token, body).await;
    assert_eq!(resp.status, 422);
    let mut fields = resp.error_fields();
    fields.sort();
    assert_eq!(fields, vec!["officers[1]", "visited_on"]);

    let withdrawn = app.enterprise(&admin, 4, json!({})).await;
    app.call(
        "DELETE",
        &format!("/api/v1/enterprises/{}", withdrawn.id),
        Some(&admin.token),
        None,
    )
    .await;
    let resp = app
        .post(
            "/api/v1/visits",
            &officer.token,
            visit_body(&withdrawn, &officer, json!([])),
        )
        .await;
    assert_eq!(resp.status, 422);
    assert_eq!(resp.error_fields(), vec!["enterprise_id"]);

    for role in [Role::Finance, Role::Analyst] {
        let user = app.user("gxw", &[role]).await;
        assert_eq!(
            app.post(
                "/api/v1/visits",
                &user.token,
                visit_body(&e, &user, json!([]))
            )
            .await
            .status,
            403
        );
    }
    assert_eq!(
        app.call(
            "POST",
            "/api/v1/visits",
            None,
            Some(&visit_body(&e, &officer, json!([])))
        )
        .await
        .status,
        401
    );
}

#[actix_web::test]
async fn only_the_visits_department_changes_or_deletes_it() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 5, json!({})).await;
    let officer = app.user("gxw", &[Role::Liaison]).await;
    let colleague = app.user("gxw", &[Role::Liaison]).await;
    let created = app.post("/api/v1/visits", &officer.token, visit_body(&e, &officer, json!([{"category": "market", "title": "参加应急产业博览会", "assigned_department": "swt"}]))).await;
    let path = format!("/api/v1/visits/{}", created.id());

    let other = app.user("fgw", &[Role::Liaison]).await;
    assert_eq!(
        app.patch(&path, &other.token, json!({"findings": "x"}))
            .await
            .status,
        403
    );
    assert_eq!(
        app.call("DELETE", &path, Some(&other.token), None)
            .await
            .status,
        403
    );

    let changed = app
        .send(
            "PATCH",
            &path,
            Some(&colleague.token),
            &[("If-Match", "\"1\"")],
            Some((
                "application/merge-patch+json",
                json!({"findings": "订单饱满", "officers": [officer.id, colleague.id]}).to_string(),
            )),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json::<Visit>().version, 2);
    let stale = app
        .send(
            "PATCH",
            &path,
            Some(&officer.token),
            &[("If-Match", "\"1\"")],
            Some(("application/json", json!({"findings": "旧"}).to_string())),
        )
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(
        app.patch(&path, &officer.token, json!({"officers": [other.id]}))
            .await
            .status,
        422
    );
    assert_eq!(
        app.patch(&path, &officer.token, json!({"summary": null}))
            .await
            .status,
        422
    );
    assert_eq!(
        app.patch(&path, &officer.token, json!({"department": "fgw"}))
            .await
            .status,
        422
    );

    assert_eq!(
        app.call("DELETE", &path, Some(&officer.token), None)
            .await
            .status,
        204
    );
    assert_eq!(app.get(&path, &officer.token).await.status, 404);
    assert_eq!(
        app.count("demands").await,
        1,
        "the demand raised in the visit stays"
    );
    let actions: Vec<String> = app
        .audit_of("visit", path.rsplit('/').next().unwrap())
        .await
        .iter()
        .map(|e| e.action.clone())
        .collect();
    assert_eq!(actions, vec!["create", "update", "delete"]);
}

#[actix_web::test]
async fn visit_list_filters_and_pages_newest_first() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let a = app.enterprise(&admin, 6, json!({})).await;
    let b = app.enterprise(&admin, 7, json!({})).await;
    let gxw = app.user("gxw", &[Role::Liaison]).await;
    let kjt = app.user("kjt", &[Role::Liaison]).await;
    for (e, who, day, kind) in [
        (&a, &gxw, "2026-01-05", "on_site"),
        (&a, &kjt, "2026-03-05", "phone"),
        (&b, &gxw, "2026-06-05", "video"),
        (&b, &gxw, "2026-09-05", "on_site"),
    ] {
        let mut body = visit_body(e, who, json!([]));
        body["visited_on"] = json!(day);
        body["kind"] = json!(kind);
        assert_eq!(
            app.post("/api/v1/visits", &who.token, body).await.status,
            201
        );
    }
    let analyst = app.user("tjj", &[Role::Analyst]).await;
    let days = |resp: &crate::common::Resp| -> Vec<String> {
        let visits = resp.page::<Visit>().items;
        visits.iter().map(|v| v.visited_on.to_string()).collect()
    };
    let all = app.get("/api/v1/visits", &analyst.token).await;
    assert_eq!(
        days(&all),
        vec!["2026-09-05", "2026-06-05", "2026-03-05", "2026-01-05"]
    );
    let cases = [
        (
            format!("enterprise_id={}", a.id),
            vec!["2026-03-05", "2026-01-05"],
        ),
        ("department=kjt".to_owned(), vec!["2026-03-05"]),
        (
            format!("officer={}", gxw.id),
            vec!["2026-09-05", "2026-06-05", "2026-01-05"],
        ),
        ("kind=on_site".to_owned(), vec!["2026-09-05", "2026-01-05"]),
        (
            "visited_from=2026-03-01&visited_to=2026-06-30".to_owned(),
            vec!["2026-06-05", "2026-03-05"],
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(
            days(
                &app.get(&format!("/api/v1/visits?{query}"), &analyst.token)
                    .await
            ),
            expected,
            "{query}"
        );
    }
    let first = app.get("/api/v1/visits?limit=3", &analyst.token).await;
    let cursor = &first.page::<Visit>().next_cursor.unwrap();
    assert_eq!(
        days(
            &app.get(
                &format!("/api/v1/visits?limit=3&cursor={cursor}"),
                &analyst.token
            )
            .await
        ),
        vec!["2026-01-05"]
    );
    assert_eq!(
        app.get("/api/v1/visits?kind=letter", &analyst.token)
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/visits?page=2", &analyst.token)
            .await
            .status,
        400
    );
}

#[actix_web::test]
async fn a_joint_visit_records_the_contacts_met_and_a_checklist() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let e = app.enterprise(&admin, 5, json!({})).await;
    let gxw = app.login_as(Role::Liaison, "gxw").await;
    let fgw = app.login_as(Role::Liaison, "fgw").await;
    let contact = app
        .post(
            &format!("/api/v1/enterprises/{}/contacts", e.id),
            &admin.token,
            json!({"name": "张伟", "title": "总经理"}),
        )
        .await
        .id();
    let mut body = visit_body(&e, &gxw, json!([]));
    body["officers"] = json!([gxw.id, fgw.id]);
    body["contacts_met"] = json!([contact]);
    body["checklist"] = json!([" 安全生产情况 ", "订单和产能", ""]);
    let resp = app.post("/api/v1/visits", &gxw.token, body).await;
    assert_eq!(resp.status, 201, "{}", resp.text);
    let visit = resp.json::<CreatedVisit>().visit;
    assert_eq!(visit.department, "gxw", "the caller's department leads");
    assert_eq!(visit.officers, [gxw.id, fgw.id]);
    let met: Vec<String> = visit.contacts_met.iter().map(|c| c.to_string()).collect();
    assert_eq!(met.len(), 1);
    assert_eq!(met[0], contact);
    assert_eq!(visit.checklist, ["安全生产情况", "订单和产能"]);

    // Only officers of other departments: not this department's visit.
    let mut others = visit_body(&e, &gxw, json!([]));
    others["officers"] = json!([fgw.id]);
    let refused = app.post("/api/v1/visits", &gxw.token, others).await;
    assert_eq!(
        (refused.status, refused.error_codes()),
        (422, vec!["not_an_officer_of_department".to_owned()])
    );
    // A contact of another enterprise, and an overlong checklist item.
    let other = app.enterprise(&admin, 6, json!({})).await;
    let mut wrong = visit_body(&other, &gxw, json!([]));
    wrong["contacts_met"] = json!([contact]);
    wrong["checklist"] = json!(["长".repeat(201)]);
    let refused = app.post("/api/v1/visits", &gxw.token, wrong).await;
    let mut fields = refused.error_fields();
    fields.sort();
    assert_eq!(
        (refused.status, fields),
        (
            422,
            vec!["checklist[0]".to_owned(), "contacts_met[0]".to_owned()]
        )
    );
}

#[actix_web::test]
async fn an_enterprises_own_cadence_decides_when_it_is_unvisited() {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let gxw = app.login_as(Role::Liaison, "gxw").await;
    let weekly = app
        .enterprise(
            &admin,
            7,
            json!({"name": "甲 每周", "visit_cadence_days": 7}),
        )
        .await;
    let usual = app.enterprise(&admin, 8, json!({"name": "乙 默认"})).await;
    let ten_days_ago = (chrono::Utc::now() - chrono::Duration::days(10)).date_naive();
    for e in [&weekly, &usual] {
        let mut body = visit_body(e, &gxw, json!([]));
        body["visited_on"] = json!(ten_days_ago);
        assert_eq!(
            app.post("/api/v1/visits", &gxw.token, body).await.status,
            201
        );
    }
    let alerts = app.get("/api/v1/stats/alerts", &gxw.token).await;
    let names: Vec<String> = alerts
        .page::<Alert>()
        .items
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(
        names,
        ["甲 每周"],
        "7-day cadence lapsed; the 90-day default not"
    );
    // An explicit window applies to all.
    let window = app
        .get("/api/v1/stats/alerts?window_days=30", &gxw.token)
        .await;
    assert!(window.page::<Alert>().items.is_empty());
    let bad = app
        .patch(
            &format!("/api/v1/enterprises/{}", usual.id),
            &admin.token,
            json!({"visit_cadence_days": 0}),
        )
        .await;
    assert_eq!(
        (bad.status, bad.error_fields()),
        (422, vec!["visit_cadence_days".to_owned()])
    );
}
