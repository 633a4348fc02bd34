//! `/api/v1/demands`: the status machine, department rules, events, overdue, concurrency.

use liaison::domain::actor::Role;
use liaison::domain::demands::model::{Demand, DemandEvent, DemandStatus, Satisfaction};
use liaison::domain::enterprises::model::Enterprise;
use serde_json::{Value, json};

use crate::common::{TestApp, TestUser};

struct Setup {
    app: TestApp,
    admin: TestUser,
    gxw: TestUser,
    enterprise: Enterprise,
}

async fn setup() -> Setup {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let gxw = app.user("gxw", &[Role::Liaison]).await;
    let enterprise = app.enterprise(&admin, 1, json!({})).await;
    Setup {
        app,
        admin,
        gxw,
        enterprise,
    }
}

impl Setup {
    async fn demand(&self, extra: Value) -> Demand {
        let mut body = json!({"enterprise_id": self.enterprise.id, "category": "financing", "title": "申请应急产品首台套保险补偿", "assigned_department": "gxw"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let resp = self
            .app
            .post("/api/v1/demands", &self.gxw.token, body)
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        resp.json()
    }

    async fn move_to(&self, id: &str, who: &TestUser, body: Value) -> crate::common::Resp {
        self.app
            .post(
                &format!("/api/v1/demands/{id}/transitions"),
                &who.token,
                body,
            )
            .await
    }

    /// A new demand brought to `status` by allowed moves.
    async fn demand_in(&self, status: &str) -> String {
        let id = self.demand(json!({})).await.id.to_string();
        let path: &[Value] = match status {
            "open" => &[],
            "accepted" => &[json!({"to": "accepted"})],
            "resolved" => &[
                json!({"to": "accepted"}),
                json!({"to": "resolved", "note": "已协调银行放款"}),
            ],
            "closed" => &[
                json!({"to": "accepted"}),
                json!({"to": "resolved"}),
                json!({"to": "closed", "satisfaction": "satisfied"}),
            ],
            "rejected" => &[json!({"to": "rejected", "note": "不符合政策条件"})],
            "returned" => &[json!({"to": "returned", "note": "请补充材料"})],
            other => panic!("{other}"),
        };
        for step in path {
            let resp = self.move_to(&id, &self.gxw, step.clone()).await;
            assert_eq!(resp.status, 200, "{step}: {}", resp.text);
        }
        id
    }
}

fn full_request(to: &str) -> Value {
    json!({"to": to, "note": "说明", "assigned_department": "fgw", "satisfaction": "satisfied"})
}

#[actix_web::test]
async fn every_allowed_and_every_refused_transition() {
    let s = setup().await;
    // gxw both raised the demand and handles it, so it may make every move: the assigned side's,
    // the raising side's on a returned demand, and the follow-up (`closed`).
    let statuses = [
        "open", "accepted", "resolved", "closed", "rejected", "returned",
    ];
    let allowed = [
        ("open", "open"),
        ("open", "accepted"),
        ("open", "rejected"),
        ("open", "returned"),
        ("accepted", "open"),
        ("accepted", "resolved"),
        ("accepted", "rejected"),
        ("accepted", "returned"),
        ("resolved", "accepted"),
        ("resolved", "closed"),
        ("rejected", "closed"),
        ("returned", "open"),
        ("returned", "rejected"),
    ];
    for from in statuses {
        for to in statuses {
            let id = s.demand_in(from).await;
            let resp = s.move_to(&id, &s.gxw, full_request(to)).await;
            let expected = if allowed.contains(&(from, to)) {
                200
            } else {
                409
            };
            assert_eq!(resp.status, expected, "{from} -> {to}: {}", resp.text);
            let after = s
                .app
                .get(&format!("/api/v1/demands/{id}"), &s.gxw.token)
                .await;
            let status = after.json::<Demand>().status.to_string();
            if expected == 409 {
                assert_eq!(status, from, "a refused move changes nothing");
            } else {
                assert_eq!(status, to);
            }
        }
    }
}

#[actix_web::test]
async fn moves_that_need_a_field_are_422() {
    let s = setup().await;
    let open = s.demand_in("open").await;
    let resp = s.move_to(&open, &s.gxw, json!({"to": "rejected"})).await;
    assert_eq!(
        (resp.status, resp.error_fields()),
        (422, vec!["note".to_owned()])
    );
    let resp = s.move_to(&open, &s.gxw, json!({"to": "open"})).await;
    assert_eq!(
        (resp.status, resp.error_fields()),
        (
            422,
            vec!["assigned_department".to_owned(), "note".to_owned()]
        ),
        "every missing field at once"
    );
    let resp = s
        .move_to(
            &open,
            &s.gxw,
            json!({"to": "open", "assigned_department": "nope", "note": "转办"}),
        )
        .await;
    assert_eq!(
        (resp.status, resp.error_fields()),
        (422, vec!["assigned_department".to_owned()])
    );
    let resolved = s.demand_in("resolved").await;
    let resp = s.move_to(&resolved, &s.gxw, json!({"to": "closed"})).await;
    assert_eq!(
        (resp.status, resp.error_fields()),
        (422, vec!["satisfaction".to_owned()])
    );
    let resp = s
        .move_to(&resolved, &s.gxw, json!({"to": "finished"}))
        .await;
    assert_eq!(resp.status, 422);
}

#[actix_web::test]
async fn resolution_satisfaction_and_the_event_history() {
    let s = setup().await;
    let id = s.demand_in("accepted").await;
    let resolved = s
        .move_to(
            &id,
            &s.gxw,
            json!({"to": "resolved", "note": "已纳入省级首台套目录"}),
        )
        .await;
    assert_eq!(
        resolved
            .json::<Demand>()
            .resolution
            .map(|v| v.to_string())
            .as_deref(),
        Some("已纳入省级首台套目录")
    );
    // The follow-up call finds the enterprise unsatisfied: back to accepted.
    let unsatisfied = s
        .move_to(
            &id,
            &s.gxw,
            json!({"to": "closed", "satisfaction": "unsatisfied", "note": "企业反映补偿尚未到账"}),
        )
        .await;
    assert_eq!(unsatisfied.status, 200);
    assert_eq!(unsatisfied.json::<Demand>().status.to_string(), "accepted");
    assert_eq!(
        unsatisfied
            .json::<Demand>()
            .satisfaction
            .map(|v| v.to_string())
            .as_deref(),
        Some("unsatisfied")
    );
    s.move_to(
        &id,
        &s.gxw,
        json!({"to": "resolved", "note": "补偿资金已拨付"}),
    )
    .await;
    let closed = s
        .move_to(
            &id,
            &s.gxw,
            json!({"to": "closed", "satisfaction": "satisfied"}),
        )
        .await;
    assert_eq!(closed.json::<Demand>().status.to_string(), "closed");
    assert_eq!(
        closed
            .json::<Demand>()
            .satisfaction
            .map(|v| v.to_string())
            .as_deref(),
        Some("satisfied")
    );

    let events = s
        .app
        .get(&format!("/api/v1/demands/{id}/events"), &s.gxw.token)
        .await;
    assert_eq!(events.status, 200);
    let items = events.page::<DemandEvent>().items;
    let moves: Vec<_> = items.iter().map(|e| (e.from_status, e.to_status)).collect();
    use DemandStatus::*;
    assert_eq!(
        moves,
        vec![
            (None, Open),
            (Some(Open), Accepted),
            (Some(Accepted), Resolved),
            (Some(Resolved), Accepted),
            (Some(Accepted), Resolved),
            (Some(Resolved), Closed),
        ]
    );
    assert_eq!(items[3].satisfaction, Some(Satisfaction::Unsatisfied));
    assert_eq!(items[3].note.as_deref(), Some("企业反映补偿尚未到账"));
    assert_eq!(items[1].actor, Some(s.gxw.id));
    // Every event names the department the demand was with (`at` and `id` are typed).
    assert!(items.iter().all(|e| e.assigned_department.is_some()));
    let audit = s.app.audit_of("demand", &id).await;
    assert_eq!(audit.iter().filter(|e| e.action == "transition").count(), 5);
}

#[actix_web::test]
async fn only_the_assigned_department_or_an_admin_moves_a_demand() {
    let s = setup().await;
    let id = s.demand_in("open").await;
    let fgw = s.app.user("fgw", &[Role::Liaison]).await;
    assert_eq!(
        s.move_to(&id, &fgw, json!({"to": "accepted"})).await.status,
        403
    );
    for role in [Role::Finance, Role::Analyst] {
        let user = s.app.user("gxw", &[role]).await;
        assert_eq!(
            s.move_to(&id, &user, json!({"to": "accepted"}))
                .await
                .status,
            403,
            "{role:?}"
        );
    }
    // 转办: reassigned to fgw, the demand is theirs to move now.
    let moved = s
        .move_to(
            &id,
            &s.gxw,
            json!({"to": "open", "assigned_department": "fgw", "note": "涉及项目审批，转发改委"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(
        moved.json::<Demand>().assigned_department.to_string(),
        "fgw"
    );
    assert_eq!(
        s.move_to(&id, &s.gxw, json!({"to": "accepted"}))
            .await
            .status,
        403
    );
    assert_eq!(
        s.move_to(&id, &fgw, json!({"to": "accepted"})).await.status,
        200
    );
    assert_eq!(
        s.move_to(&id, &s.admin, json!({"to": "resolved"}))
            .await
            .status,
        200,
        "admins move any demand"
    );
    assert_eq!(
        s.app
            .call(
                "POST",
                &format!("/api/v1/demands/{id}/transitions"),
                None,
                Some(&json!({"to": "closed"}))
            )
            .await
            .status,
        401
    );
    assert_eq!(
        s.move_to(
            "00000000-0000-0000-0000-000000000000",
            &s.admin,
            json!({"to": "accepted"})
        )
        .await
        .status,
        404
    );
}

#[actix_web::test]
async fn concurrent_moves_from_the_same_state_never_both_succeed() {
    let s = setup().await;
    let other = s.app.user("gxw", &[Role::Liaison]).await;
    for _ in 0..5 {
        let id = s.demand_in("open").await;
        let (a, b) = futures_util::join!(
            s.move_to(&id, &s.gxw, json!({"to": "accepted"})),
            s.move_to(&id, &other, json!({"to": "accepted", "note": "我来受理"})),
        );
        let mut statuses = vec![a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, vec![200, 409], "{} / {}", a.text, b.text);
        let events = s
            .app
            .get(&format!("/api/v1/demands/{id}/events"), &s.gxw.token)
            .await;
        assert_eq!(
            events.page::<DemandEvent>().items.len(),
            2,
            "one creation and one move"
        );
    }
}

#[actix_web::test]
async fn demands_are_raised_by_liaison_officers_with_valid_fields() {
    let s = setup().await;
    let analyst = s.app.user("tjj", &[Role::Analyst]).await;
    let body = json!({"enterprise_id": s.enterprise.id, "category": "land", "title": "用地指标", "assigned_department": "fgw"});
    assert_eq!(
        s.app
            .post("/api/v1/demands", &analyst.token, body.clone())
            .await
            .status,
        403
    );
    let resp = s.app.post("/api/v1/demands", &s.gxw.token, json!({"enterprise_id": "00000000-0000-0000-0000-000000000000", "category": "land", "title": " ", "assigned_department": "nope", "visit_id": "00000000-0000-0000-0000-000000000000"})).await;
    assert_eq!(resp.status, 422);
    let mut fields = resp.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec!["assigned_department", "enterprise_id", "title", "visit_id"]
    );
    let resp = s
        .app
        .post("/api/v1/demands", &s.gxw.token, json!({"title": "x"}))
        .await;
    let mut fields = resp.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec!["assigned_department", "category", "enterprise_id"]
    );
    let resp = s.app.post("/api/v1/demands", &s.gxw.token, json!({"enterprise_id": s.enterprise.id, "category": "land", "title": "x", "assigned_department": "fgw", "status": "closed"})).await;
    assert_eq!(
        (resp.status, resp.error_fields()),
        (422, vec!["status".to_owned()])
    );
    assert_eq!(s.app.count("demands").await, 0);
}

#[actix_web::test]
async fn overdue_is_derived_and_filtered_in_sql() {
    let s = setup().await;
    let late = s
        .demand(json!({"due_on": "2020-01-01", "title": "逾期诉求"}))
        .await;
    assert!(late.overdue);
    let on_time = s
        .demand(json!({"due_on": "2098-01-01", "title": "未到期诉求"}))
        .await;
    assert!(!on_time.overdue);
    let late_but_done = s
        .demand(json!({"due_on": "2020-01-01", "title": "逾期已解决"}))
        .await;
    let id = &late_but_done.id.to_string();
    s.move_to(id, &s.gxw, json!({"to": "accepted"})).await;
    let accepted = s
        .app
        .get(&format!("/api/v1/demands/{id}"), &s.gxw.token)
        .await;
    assert!(accepted.json::<Demand>().overdue, "accepted still counts");
    s.move_to(id, &s.gxw, json!({"to": "resolved"})).await;

    let overdue = s
        .app
        .get("/api/v1/demands?overdue=true", &s.gxw.token)
        .await;
    let overdue = overdue.page::<Demand>().items;
    let titles: Vec<&str> = overdue.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, vec!["逾期诉求"]);
    let by_status = s
        .app
        .get(
            "/api/v1/demands?status=resolved&assigned_department=gxw&category=financing",
            &s.gxw.token,
        )
        .await;
    assert_eq!(by_status.page::<Demand>().items.len(), 1);
    let by_enterprise = s
        .app
        .get(
            &format!("/api/v1/demands?enterprise_id={}&limit=2", s.enterprise.id),
            &s.gxw.token,
        )
        .await;
    assert_eq!(by_enterprise.page::<Demand>().items.len(), 2);
    let first_page = by_enterprise.page::<Demand>();
    assert_eq!(first_page.items[0].title, "逾期已解决", "newest first");
    assert!(first_page.next_cursor.is_some());
    assert_eq!(
        s.app
            .get("/api/v1/demands?status=done", &s.gxw.token)
            .await
            .status,
        400
    );
}

/// The main list queries of visits and demands are served by indexes.
#[actix_web::test]
async fn visit_and_demand_lists_are_served_by_indexes() {
    let app = TestApp::new().await;
    let client = app.db.client().await;
    client
        .batch_execute("SET enable_seqscan = off")
        .await
        .unwrap();
    let plans = [
        "SELECT * FROM visits WHERE enterprise_id = '00000000-0000-0000-0000-000000000000' ORDER BY visited_on DESC, id DESC LIMIT 51",
        "SELECT * FROM visits WHERE department = 'gxw' ORDER BY visited_on DESC, id DESC LIMIT 51",
        "SELECT * FROM visits ORDER BY visited_on DESC, id DESC LIMIT 51",
        "SELECT * FROM demands WHERE assigned_department = 'gxw' AND status = 'open' ORDER BY created_at DESC, id DESC LIMIT 51",
        "SELECT * FROM demands WHERE status IN ('open', 'accepted') AND due_on < '2026-11-29' LIMIT 51",
        "SELECT * FROM demand_events WHERE demand_id = '00000000-0000-0000-0000-000000000000' ORDER BY at, id",
        "SELECT * FROM demand_events WHERE enterprise_id = '00000000-0000-0000-0000-000000000000' ORDER BY at DESC, id DESC LIMIT 51",
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
