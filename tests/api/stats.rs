//! `/api/v1/stats/*`: the arithmetic against hand-computed values.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Utc};
use liaison::db::money::Money;
use liaison::domain::actor::Role;
use liaison::domain::enterprises::model::Enterprise;
use liaison::domain::policies::store::Policy;
use liaison::domain::stats::alerts::{Alert, AlertCode};
use liaison::domain::stats::indicators::{GroupBy, IndicatorGroup, IndicatorStats};
use liaison::domain::stats::overview::Overview;
use serde_json::{Value, json};

use crate::common::{Resp, TestApp, TestUser};

fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

fn days_ago(n: i64) -> String {
    (today() - Duration::days(n)).to_string()
}

struct World {
    app: TestApp,
    admin: TestUser,
    gxw: TestUser,
}

impl World {
    async fn new() -> World {
        let app = TestApp::new().await;
        let admin = app.admin().await;
        let gxw = app.user("gxw", &[Role::Liaison]).await;
        World { app, admin, gxw }
    }

    async fn enterprise(&self, seed: u32, extra: Value) -> String {
        let created = self.app.enterprise(&self.admin, seed, extra).await;
        created.id.to_string()
    }

    async fn visit(&self, enterprise: &str, on: &str) {
        let resp = self
            .app
            .post(
                "/api/v1/visits",
                &self.gxw.token,
                json!({"enterprise_id": enterprise, "visited_on": on, "kind": "on_site",
                       "officers": [self.gxw.id], "summary": "走访了解生产经营情况"}),
            )
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
    }

    async fn demand(&self, enterprise: &str, department: &str, due_on: Option<String>) -> String {
        let resp = self
            .app
            .post(
                "/api/v1/demands",
                &self.gxw.token,
                json!({"enterprise_id": enterprise, "category": "financing", "title": "融资需求",
                       "assigned_department": department, "due_on": due_on}),
            )
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        resp.id()
    }

    async fn indicators(&self, enterprise: &str, quarter: &str, body: Value) {
        let resp = self
            .app
            .call(
                "PUT",
                &format!("/api/v1/enterprises/{enterprise}/indicators/{quarter}"),
                Some(&self.admin.token),
                Some(&body),
            )
            .await;
        assert!(resp.status == 201 || resp.status == 200, "{}", resp.text);
    }
}

/// The group `key` of an indicator statistic.
fn group(resp: &Resp, key: &str) -> IndicatorGroup {
    let stats = resp.json::<IndicatorStats>();
    stats
        .items
        .into_iter()
        .find(|g| g.key == key)
        .unwrap_or_else(|| panic!("no group {key} in {}", resp.text))
}

/// Counts by key, as the overview writes them.
fn counts(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

/// The last visit named by the first alert's first reason.
fn last_visited(alerts: &Resp) -> Option<String> {
    let first = alerts.page::<Alert>().items.into_iter().next()?;
    first
        .reasons
        .first()?
        .last_visited_on
        .map(|d| d.to_string())
}

/// The overview's money per department and year: approved and disbursed, as written.
fn support_sums(o: &Overview) -> Vec<(&str, i32, String, String)> {
    let sums = o.support.by_department.iter();
    sums.map(|s| {
        let (approved, disbursed) = (s.approved.to_string(), s.disbursed.to_string());
        (s.department.as_str(), s.fiscal_year, approved, disbursed)
    })
    .collect()
}

/// A money figure as the API writes it.
fn text(money: Option<Money>) -> Option<String> {
    money.map(|m| m.to_string())
}

#[actix_web::test]
async fn indicator_sums_and_year_on_year_growth() {
    let w = World::new().await;
    let e1 = w.enterprise(1, json!({})).await; // rescue_disposal, 360100, medium
    let e2 = w
        .enterprise(2, json!({"region_code": "360102", "size": "large"}))
        .await;
    let e3 = w
        .enterprise(
            3,
            json!({"category": "monitoring_warning", "subcategory": null, "region_code": "360400"}),
        )
        .await;
    w.indicators(
        &e1,
        "2026-Q3",
        json!({"revenue": "100.10", "profit": "-10.00"}),
    )
    .await;
    w.indicators(
        &e2,
        "2026-Q3",
        json!({"revenue": "200.20", "profit": "30.00"}),
    )
    .await;
    w.indicators(
        &e1,
        "2025-Q3",
        json!({"revenue": "250.25", "profit": "40.00"}),
    )
    .await;
    w.indicators(&e3, "2026-Q3", json!({"revenue": "50.00"}))
        .await;
    w.indicators(&e3, "2025-Q3", json!({"revenue": "0.00"}))
        .await;
    // Another quarter is not counted.
    w.indicators(&e2, "2026-Q2", json!({"revenue": "999.00"}))
        .await;

    let analyst = w.app.user("tjj", &[Role::Analyst]).await;
    let resp = w
        .app
        .get(
            "/api/v1/stats/indicators?quarter=2026-Q3&group_by=category",
            &analyst.token,
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let stats = resp.json::<IndicatorStats>();
    assert_eq!(stats.quarter.to_string(), "2026-Q3");
    assert_eq!(stats.group_by, GroupBy::Category);
    let rescue = group(&resp, "rescue_disposal");
    // e1 reported both years, e2 only this one.
    assert_eq!(
        (
            rescue.enterprises,
            rescue.enterprises_current,
            rescue.enterprises_previous
        ),
        (1, 2, 1)
    );
    assert_eq!(text(rescue.revenue).as_deref(), Some("300.30"));
    // Over e1 alone (同口径): (100.10 − 250.25) / 250.25 = −0.6
    assert_eq!(rescue.revenue_yoy, Some(-0.6));
    assert_eq!(text(rescue.profit).as_deref(), Some("20.00"));
    // (−10 − 40) / 40 = −1.25
    assert_eq!(rescue.profit_yoy, Some(-1.25));
    assert_eq!(rescue.output_value, None, "nobody reported it");
    assert_eq!(rescue.output_value_yoy, None);
    let monitoring = group(&resp, "monitoring_warning");
    assert_eq!(text(monitoring.revenue).as_deref(), Some("50.00"));
    assert_eq!(monitoring.revenue_yoy, None, "a zero base gives no growth");

    let by_region = w
        .app
        .get(
            "/api/v1/stats/indicators?quarter=2026-Q3&group_by=region",
            &analyst.token,
        )
        .await;
    // A county counts for its city: 360102 is in 南昌市 360100.
    let nanchang = group(&by_region, "360100");
    assert_eq!(text(nanchang.revenue).as_deref(), Some("300.30"));
    assert_eq!(group(&by_region, "360400").enterprises_current, 1);
    let by_size = w
        .app
        .get(
            "/api/v1/stats/indicators?quarter=2026-Q3&group_by=size",
            &analyst.token,
        )
        .await;
    let large = group(&by_size, "large");
    assert_eq!(text(large.revenue).as_deref(), Some("200.20"));
    assert_eq!(large.revenue_yoy, None);

    let bad = w
        .app
        .get("/api/v1/stats/indicators?quarter=2026-Q9", &analyst.token)
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_fields(), ["quarter"]);
    let bad_group = w
        .app
        .get(
            "/api/v1/stats/indicators?quarter=2026-Q3&group_by=city",
            &analyst.token,
        )
        .await;
    assert_eq!(bad_group.status, 400);
}

#[actix_web::test]
async fn overview_counts_coverage_money_and_benefits() {
    let w = World::new().await;
    let e1 = w.enterprise(1, json!({})).await;
    let e2 = w.enterprise(2, json!({"region_code": "360102"})).await;
    let e3 = w.enterprise(3, json!({"category": "monitoring_warning", "subcategory": null, "size": "small", "region_code": "360400"})).await;
    let e4 = w.enterprise(4, json!({})).await;
    w.visit(&e1, &days_ago(10)).await;
    w.visit(&e1, &days_ago(5)).await;
    w.visit(&e2, &days_ago(100)).await; // outside the 90-day window
    w.visit(&e4, &days_ago(1)).await; // counted as a visit, not as coverage (suspended below)
    let suspended = w
        .app
        .patch(
            &format!("/api/v1/enterprises/{e4}"),
            &w.admin.token,
            json!({"status": "suspended"}),
        )
        .await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);
    w.demand(&e1, "gxw", Some(days_ago(1))).await; // overdue
    w.demand(&e3, "fgw", None).await;

    let finance = w.app.user("czt", &[Role::Finance]).await;
    let measure = w
        .app
        .post(
            "/api/v1/support-measures",
            &finance.token,
            json!({"enterprise_id": e1, "kind": "subsidy", "title": "专项资金", "fiscal_year": 2025,
                   "amount": "1000.00", "status": "approved", "approved_on": "2025-06-30"}),
        )
        .await;
    assert_eq!(measure.status, 201, "{}", measure.text);
    let paid = w
        .app
        .post(
            &format!("/api/v1/support-measures/{}/disbursements", measure.id()),
            &finance.token,
            json!({"amount": "250.50", "paid_on": "2025-07-01", "voucher_no": "V-1"}),
        )
        .await;
    assert_eq!(paid.status, 201, "{}", paid.text);
    let planned = w
        .app
        .post(
            "/api/v1/support-measures",
            &finance.token,
            json!({"enterprise_id": e2, "kind": "grant", "title": "计划中", "fiscal_year": 2025, "amount": "500.00"}),
        )
        .await;
    assert_eq!(planned.status, 201, "{}", planned.text);

    let policies = w.app.get("/api/v1/policies", &w.admin.token).await;
    let policy = policies.page::<Policy>().items[0].id;
    let mut benefit_ids = Vec::new();
    for e in [&e1, &e2] {
        let resp = w
            .app
            .post(
                "/api/v1/policy-benefits",
                &w.gxw.token,
                json!({"enterprise_id": e, "policy_id": policy, "responsible_department": "gxw"}),
            )
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        benefit_ids.push(resp.id());
    }
    for step in [
        json!({"to": "applied"}),
        json!({"to": "approved"}),
        json!({"to": "realized", "realized_amount": "80.00", "realized_on": days_ago(1)}),
    ] {
        let resp = w
            .app
            .post(
                &format!("/api/v1/policy-benefits/{}/transitions", benefit_ids[0]),
                &w.gxw.token,
                step,
            )
            .await;
        assert_eq!(resp.status, 200, "{}", resp.text);
    }

    let analyst = w.app.user("fgw", &[Role::Analyst]).await;
    let resp = w.app.get("/api/v1/stats/overview", &analyst.token).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let o = resp.json::<Overview>();
    let e = &o.enterprises;
    assert_eq!(e.total, 4);
    assert_eq!(
        e.by_status,
        counts(&[
            ("active", 3),
            ("candidate", 0),
            ("suspended", 1),
            ("withdrawn", 0)
        ])
    );
    assert_eq!(
        e.by_size,
        counts(&[("large", 0), ("medium", 3), ("small", 1), ("micro", 0)])
    );
    assert_eq!(e.by_category["rescue_disposal"], 3);
    assert_eq!(e.by_category["emergency_services"], 0);
    assert_eq!(e.by_city["360100"], 3);
    assert_eq!(e.by_city["360400"], 1);
    assert_eq!(e.by_city["361100"], 0);
    assert_eq!(e.by_city.len(), 11);

    assert_eq!(o.visits.window_days, 90);
    assert_eq!(o.visits.count, 3);
    assert_eq!(o.visits.enterprises_visited, 1);
    // One of three active enterprises visited.
    assert_eq!(o.visits.coverage, 0.333333);

    let d = &o.demands;
    let by_status = [
        ("open", 2),
        ("accepted", 0),
        ("resolved", 0),
        ("closed", 0),
        ("rejected", 0),
        ("returned", 0),
    ];
    assert_eq!(d.by_status, counts(&by_status));
    assert_eq!(d.overdue, 1);
    let open_overdue = |code: &str| {
        let counts = &d.by_department[code];
        (counts.open, counts.overdue)
    };
    assert_eq!(open_overdue("gxw"), (1, 1));
    assert_eq!(open_overdue("fgw"), (1, 0));
    assert_eq!(open_overdue("yjb"), (0, 0));

    assert_eq!(
        support_sums(&o),
        [("czt", 2025, "1000.00".into(), "250.50".into())]
    );
    assert_eq!(o.benefits.by_status["realized"], 1);
    assert_eq!(o.benefits.by_status["identified"], 1);
    assert_eq!(o.benefits.by_status["withdrawn"], 0);
    assert_eq!(o.benefits.realization_rate, 0.5);

    // A wider window reaches the visit 100 days ago.
    let wide = w
        .app
        .get("/api/v1/stats/overview?window_days=120", &analyst.token)
        .await
        .json::<Overview>();
    assert_eq!(wide.visits.count, 4);
    assert_eq!(wide.visits.enterprises_visited, 2);
    let bad = w
        .app
        .get("/api/v1/stats/overview?window_days=0", &analyst.token)
        .await;
    assert_eq!(bad.status, 422);
}

#[actix_web::test]
async fn alerts_name_each_reason() {
    let w = World::new().await;
    let fine = w.enterprise(1, json!({"name": "A 一切正常"})).await;
    let never = w
        .enterprise(2, json!({"name": "B 从未走访", "region_code": "360121"}))
        .await;
    let overdue = w
        .enterprise(3, json!({"name": "C 诉求逾期", "region_code": "361102"}))
        .await;
    let falling = w.enterprise(4, json!({"name": "D 营收下滑"})).await;
    w.enterprise(5, json!({"name": "E 已暂停", "status": "suspended"}))
        .await;
    for e in [&fine, &overdue, &falling] {
        w.visit(e, &days_ago(3)).await;
    }
    w.demand(&overdue, "gxw", Some(days_ago(2))).await;
    w.demand(&fine, "gxw", Some(days_ago(-10))).await; // due later: not overdue
    w.indicators(&falling, "2025-Q2", json!({"revenue": "1000.00"}))
        .await;
    w.indicators(&falling, "2026-Q2", json!({"revenue": "800.00"}))
        .await;
    w.indicators(&fine, "2025-Q2", json!({"revenue": "1000.00"}))
        .await;
    w.indicators(&fine, "2026-Q2", json!({"revenue": "950.00"}))
        .await;

    let analyst = w.app.user("fgw", &[Role::Analyst]).await;
    let names = |r: &Resp| -> Vec<String> {
        let alerts = r.page::<Alert>().items;
        alerts.into_iter().map(|a| a.name).collect()
    };
    // A fall of exactly 20 % is not more than the default 20 %.
    let resp = w.app.get("/api/v1/stats/alerts", &analyst.token).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(names(&resp), ["B 从未走访", "C 诉求逾期"]);
    let alerts = resp.page::<Alert>().items;
    assert_eq!(alerts[0].enterprise_id.to_string(), never);
    let reason = &alerts[0].reasons[0];
    assert_eq!(
        (reason.code, reason.detail.as_str(), reason.message.as_str()),
        (AlertCode::NotVisited, "never visited", "从未走访")
    );
    assert_eq!((reason.last_visited_on, reason.days), (None, None));
    let reason = &alerts[1].reasons[0];
    assert_eq!(
        (reason.code, reason.count, reason.overdue_demands),
        (AlertCode::OverdueDemands, Some(1), Some(1))
    );
    assert_eq!(reason.message, "1项诉求逾期未办结");

    // By region: a city covers its counties (南昌县 360121 is in 南昌市 360100).
    let in_city = |code: &'static str| {
        let (app, token) = (&w.app, analyst.token.clone());
        async move {
            let path = format!("/api/v1/stats/alerts?region_code={code}");
            names(&app.get(&path, &token).await)
        }
    };
    assert_eq!(in_city("360100").await, ["B 从未走访"]);
    assert_eq!(in_city("361100").await, ["C 诉求逾期"]);
    assert!(in_city("360400").await.is_empty());

    let stricter = w
        .app
        .get("/api/v1/stats/alerts?revenue_drop=0.1", &analyst.token)
        .await;
    assert_eq!(names(&stricter), ["B 从未走访", "C 诉求逾期", "D 营收下滑"]);
    let drop = &stricter.page::<Alert>().items[2].reasons[0];
    assert_eq!(drop.code, AlertCode::RevenueDrop);
    assert_eq!(drop.quarter.as_deref(), Some("2026-Q2"));
    assert_eq!(drop.change, Some(-0.2));
    assert_eq!(drop.message, "2026年第2季度营业收入同比下降20.0%");

    // A window of 2 days: the visits 3 days ago no longer count.
    let short = w
        .app
        .get("/api/v1/stats/alerts?window_days=2&limit=2", &analyst.token)
        .await;
    assert_eq!(names(&short), ["A 一切正常", "B 从未走访"]);
    let next = short.page::<Alert>().next_cursor.unwrap_or_default();
    let page2 = w
        .app
        .get(
            &format!("/api/v1/stats/alerts?window_days=2&limit=2&cursor={next}"),
            &analyst.token,
        )
        .await;
    assert_eq!(names(&page2), ["C 诉求逾期", "D 营收下滑"]);
    let late = &page2.page::<Alert>().items[0].reasons[0];
    assert_eq!((late.code, late.days), (AlertCode::NotVisited, Some(3)));
    assert_eq!(
        late.message,
        format!("已3天未走访（最近一次{}，要求2天内）", days_ago(3))
    );
    assert_eq!(page2.page::<Alert>().items[0].reasons.len(), 2);

    let bad = w
        .app
        .get("/api/v1/stats/alerts?revenue_drop=2", &analyst.token)
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_fields(), ["revenue_drop"]);
}

#[actix_web::test]
async fn coverage_follows_visits_being_moved_and_deleted() {
    let w = World::new().await;
    let e = w.enterprise(1, json!({})).await;
    w.visit(&e, &days_ago(200)).await;
    let recent = w
        .app
        .post(
            "/api/v1/visits",
            &w.gxw.token,
            json!({"enterprise_id": e, "visited_on": days_ago(3), "kind": "phone",
                   "officers": [w.gxw.id], "summary": "电话回访"}),
        )
        .await;
    assert_eq!(recent.status, 201);
    let id = recent.id();
    async fn visited(w: &World) -> i64 {
        w.app
            .get("/api/v1/stats/overview", &w.admin.token)
            .await
            .json::<Overview>()
            .visits
            .enterprises_visited
    }
    assert_eq!(visited(&w).await, 1);
    // Moved back in time: outside the window.
    let moved = w
        .app
        .patch(
            &format!("/api/v1/visits/{id}"),
            &w.gxw.token,
            json!({"visited_on": days_ago(150)}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(visited(&w).await, 0);
    let alerts = w.app.get("/api/v1/stats/alerts", &w.admin.token).await;
    assert_eq!(last_visited(&alerts), Some(days_ago(150)));
    let moved_back = w
        .app
        .patch(
            &format!("/api/v1/visits/{id}"),
            &w.gxw.token,
            json!({"visited_on": days_ago(1)}),
        )
        .await;
    assert_eq!(moved_back.status, 200);
    assert_eq!(visited(&w).await, 1);
    // Coverage counts active enterprises only, and follows a change of status.
    for (status, expected) in [("suspended", 0), ("active", 1)] {
        let changed = w
            .app
            .patch(
                &format!("/api/v1/enterprises/{e}"),
                &w.admin.token,
                json!({ "status": status }),
            )
            .await;
        assert_eq!(changed.status, 200, "{}", changed.text);
        assert_eq!(visited(&w).await, expected, "{status}");
    }
    let deleted = w
        .app
        .call(
            "DELETE",
            &format!("/api/v1/visits/{id}"),
            Some(&w.gxw.token),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert_eq!(visited(&w).await, 0);
    let alerts = w.app.get("/api/v1/stats/alerts", &w.admin.token).await;
    assert_eq!(
        last_visited(&alerts),
        Some(days_ago(200)),
        "the earlier visit is the last one again"
    );
    // Each of those visits wrote a new version of the enterprise's row. Name search still finds
    // it, and no GIN index keeps a pending list that every search would have to read through.
    let name = w
        .app
        .get(&format!("/api/v1/enterprises/{e}"), &w.admin.token)
        .await
        .json::<Enterprise>()
        .name;
    let piece: String = name.chars().skip(2).take(2).collect();
    let encoded: String = piece.bytes().map(|b| format!("%{b:02X}")).collect();
    let found = w
        .app
        .get(&format!("/api/v1/enterprises?q={encoded}"), &w.admin.token)
        .await;
    assert_eq!(
        found.page::<Enterprise>().items[0].id.to_string(),
        e,
        "{piece}: {}",
        found.text
    );
    let gin = w
        .app
        .db
        .client()
        .await
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE 'fastupdate=off' = ANY(c.reloptions)) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'gin'",
            &[],
        )
        .await
        .unwrap();
    let (all, direct): (i64, i64) = (gin.get(0), gin.get(1));
    assert!(all >= 7, "{all} GIN indexes");
    assert_eq!(direct, all, "every GIN index takes entries straight in");
}

/// Folds the overview's running totals, as the server does every few seconds.
async fn compact_totals(app: &TestApp) {
    let mut conn = app.state.pool.get().await.expect("connection");
    liaison::domain::stats::rollups::compact(&mut conn, today())
        .await
        .expect("compact");
}

#[actix_web::test]
async fn overview_totals_follow_edits_transitions_and_concurrent_payments() {
    let w = World::new().await;
    let e1 = w.enterprise(1, json!({})).await;
    let e2 = w.enterprise(2, json!({"region_code": "360102"})).await;
    w.visit(&e1, &days_ago(20)).await;
    w.visit(&e1, &days_ago(2)).await;
    w.visit(&e2, &days_ago(3)).await;

    // Demands: one accepted past its due date, one handed over to fgw, one rejected.
    let late = w.demand(&e1, "gxw", Some(days_ago(3))).await;
    let handed_over = w.demand(&e1, "gxw", Some(days_ago(-30))).await;
    let rejected = w.demand(&e2, "gxw", Some(days_ago(5))).await;
    for (id, body) in [
        (&late, json!({"to": "accepted"})),
        (
            &handed_over,
            json!({"to": "open", "assigned_department": "fgw", "note": "转发改委"}),
        ),
        (
            &rejected,
            json!({"to": "rejected", "note": "不属于支持范围"}),
        ),
    ] {
        let resp = w
            .app
            .post(
                &format!("/api/v1/demands/{id}/transitions"),
                &w.gxw.token,
                body,
            )
            .await;
        assert_eq!(resp.status, 200, "{}", resp.text);
    }

    // A new category, size and status: each moves one enterprise from one count to another.
    let edited = w
        .app
        .patch(
            &format!("/api/v1/enterprises/{e2}"),
            &w.admin.token,
            json!({"category": "monitoring_warning", "subcategory": null, "size": "small",
                   "status": "suspended"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    // Money: three payments at once while the totals are being compacted; a planned measure
    // approved later; a cancelled one that counts as a measure but not as approved money.
    let finance = w.app.user("czt", &[Role::Finance]).await;
    let mut measures = Vec::new();
    for (year, amount, status) in [
        (2025, "1000.00", "approved"),
        (2026, "500.00", "planned"),
        (2026, "70.00", "planned"),
    ] {
        let mut body = json!({"enterprise_id": e1, "kind": "subsidy", "title": "专项资金",
                              "fiscal_year": year, "amount": amount, "status": status});
        if status == "approved" {
            body["approved_on"] = json!("2025-06-30");
        }
        let resp = w
            .app
            .post("/api/v1/support-measures", &finance.token, body)
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        measures.push(format!("/api/v1/support-measures/{}", resp.id()));
    }
    let pay_path = format!("{}/disbursements", measures[0]);
    let payments = (0..3).map(|i| {
        w.app.post(
            &pay_path,
            &finance.token,
            json!({"amount": "100.10", "paid_on": "2025-07-01", "voucher_no": format!("V-{i}")}),
        )
    });
    let compactions = (0..3).map(|_| compact_totals(&w.app));
    let (paid, _) = futures_util::future::join(
        futures_util::future::join_all(payments),
        futures_util::future::join_all(compactions),
    )
    .await;
    assert!(paid.iter().all(|r| r.status == 201), "{paid:?}");
    for (path, body) in [
        (
            &measures[1],
            json!({"status": "approved", "approved_on": "2026-01-10"}),
        ),
        (&measures[2], json!({"status": "cancelled"})),
    ] {
        let resp = w.app.patch(path, &finance.token, body).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
    }

    let before = w.app.get("/api/v1/stats/overview", &w.admin.token).await;
    assert_eq!(before.status, 200, "{}", before.text);
    let o = before.json::<Overview>();
    let e = &o.enterprises;
    assert_eq!(e.total, 2);
    assert_eq!(
        e.by_status,
        counts(&[
            ("active", 1),
            ("candidate", 0),
            ("suspended", 1),
            ("withdrawn", 0)
        ])
    );
    assert_eq!(
        e.by_size,
        counts(&[("large", 0), ("medium", 1), ("small", 1), ("micro", 0)])
    );
    assert_eq!(e.by_category["rescue_disposal"], 1);
    assert_eq!(e.by_category["monitoring_warning"], 1);
    assert_eq!(e.by_city["360100"], 2);
    assert_eq!(o.visits.count, 3);
    // The suspended enterprise's visit counts as a visit, not as coverage.
    assert_eq!(o.visits.enterprises_visited, 1);
    assert_eq!(o.visits.coverage, 1.0);
    let by_status = [
        ("open", 1),
        ("accepted", 1),
        ("resolved", 0),
        ("closed", 0),
        ("rejected", 1),
        ("returned", 0),
    ];
    assert_eq!(o.demands.by_status, counts(&by_status));
    // The accepted demand is late; the one handed over is fgw's now.
    let open_overdue = |code: &str| {
        let counts = &o.demands.by_department[code];
        (counts.open, counts.overdue)
    };
    assert_eq!(o.demands.overdue, 1);
    assert_eq!(open_overdue("gxw"), (1, 1));
    assert_eq!(open_overdue("fgw"), (1, 0));
    assert_eq!(
        support_sums(&o),
        [
            ("czt", 2025, "1000.00".into(), "300.30".into()),
            ("czt", 2026, "500.00".into(), "0.00".into())
        ]
    );

    // Compacting leaves one row per key and changes no figure.
    compact_totals(&w.app).await;
    let after = w.app.get("/api/v1/stats/overview", &w.admin.token).await;
    assert_eq!(after.body, before.body);
    let db = w.app.db.client().await;
    for (table, key) in [
        ("support_totals", "department, fiscal_year"),
        ("enterprise_tallies", "dimension, code"),
        ("visit_day_tallies", "visited_on"),
        ("last_visit_tallies", "status, last_visited_on"),
        ("demand_tallies", "department, status, due_on"),
    ] {
        let row = db
            .query_one(
                &format!("SELECT count(*), count(DISTINCT ({key})) FROM {table}"),
                &[],
            )
            .await
            .unwrap();
        let (rows, keys): (i64, i64) = (row.get(0), row.get(1));
        assert_eq!(rows, keys, "{table}: one row per key after compaction");
    }
    let support_rows: i64 = db
        .query_one("SELECT count(*) FROM support_totals", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(support_rows, 2);

    // A TRUNCATE (say, by an operator's data fix) empties the totals of what it removed.
    db.batch_execute("TRUNCATE demands CASCADE").await.unwrap();
    let emptied = w.app.get("/api/v1/stats/overview", &w.admin.token).await;
    let emptied = emptied.json::<Overview>();
    let open = emptied.demands.by_status["open"];
    assert_eq!((open, emptied.demands.overdue), (0, 0));
    assert_eq!(support_sums(&emptied), support_sums(&after.json()));
}
