//! `/api/v1/enterprises/{id}/indicators`: quarterly figures, idempotent upsert, who may report.

use liaison::domain::actor::Role;
use liaison::domain::indicators::model::Indicator;
use serde_json::{Value, json};

use crate::common::{TestApp, TestUser};

struct Setup {
    app: TestApp,
    liaison: TestUser,
    enterprise: String,
}

async fn setup() -> Setup {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app.enterprise(&admin, 1, json!({})).await.id.to_string();
    let liaison = app.user("gxw", &[Role::Liaison]).await;
    Setup {
        app,
        liaison,
        enterprise,
    }
}

impl Setup {
    async fn put(&self, who: &TestUser, quarter: &str, body: Value) -> crate::common::Resp {
        self.app
            .call(
                "PUT",
                &format!(
                    "/api/v1/enterprises/{}/indicators/{quarter}",
                    self.enterprise
                ),
                Some(&who.token),
                Some(&body),
            )
            .await
    }
}

#[actix_web::test]
async fn put_creates_then_replaces_and_repeating_it_changes_nothing() {
    let s = setup().await;
    let body = json!({"revenue": "1250000.00", "profit": "-20000.50", "employees": 120});
    let first = s.put(&s.liaison, "2026-Q3", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(
        first.header("location").unwrap(),
        format!("/api/v1/enterprises/{}/indicators/2026-Q3", s.enterprise)
    );
    assert_eq!(
        first
            .json::<Indicator>()
            .revenue
            .map(|v| v.to_string())
            .as_deref(),
        Some("1250000.00")
    );
    assert_eq!(
        first
            .json::<Indicator>()
            .profit
            .map(|v| v.to_string())
            .as_deref(),
        Some("-20000.50")
    );
    assert_eq!(
        first.json::<Indicator>().output_value,
        None,
        "left out: not reported"
    );
    assert_eq!(first.json::<Indicator>().updated_by, Some(s.liaison.id));

    let again = s.put(&s.liaison, "2026-Q3", body).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(
        again.json::<Indicator>().version,
        1,
        "the same figures are no change"
    );

    // A replacement: what is left out becomes "not reported".
    let replaced = s
        .put(&s.liaison, "2026-Q3", json!({"revenue": "1300000.00"}))
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    assert_eq!(replaced.json::<Indicator>().version, 2);
    assert_eq!(replaced.json::<Indicator>().profit, None);
    let audit = s
        .app
        .audit_of("indicator", &format!("{}/2026-Q3", s.enterprise))
        .await;
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "update"]);
    assert_eq!(
        audit[1].changes["revenue"],
        json!({"before": "1250000.00", "after": "1300000.00"})
    );

    // A stale If-Match is refused and changes nothing.
    let stale = s
        .app
        .send(
            "PUT",
            &format!("/api/v1/enterprises/{}/indicators/2026-Q3", s.enterprise),
            Some(&s.liaison.token),
            &[("If-Match", "\"1\"")],
            Some(("application/json", json!({"revenue": "1.00"}).to_string())),
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert_eq!(s.app.count("indicators").await, 1);
}

#[actix_web::test]
async fn a_quarter_is_yyyy_qn_and_has_ended() {
    let s = setup().await;
    for bad in ["2026-Q5", "2026Q1", "2026-q1", "Q1-2026", "1999-Q4"] {
        let resp = s.put(&s.liaison, bad, json!({"revenue": "1.00"})).await;
        assert_eq!(resp.status, 422, "{bad}: {}", resp.text);
        assert_eq!(resp.error_fields(), ["quarter"], "{bad}");
    }
    let future = s.put(&s.liaison, "2099-Q1", json!({})).await;
    assert_eq!(future.status, 422);
    assert_eq!(future.error_codes()[0], "quarter_not_ended");
    assert_eq!(s.app.count("indicators").await, 0);
}

#[actix_web::test]
async fn money_is_exact_and_only_profit_may_be_negative() {
    let s = setup().await;
    let resp = s
        .put(
            &s.liaison,
            "2026-Q1",
            json!({"revenue": "-1.00", "rd_expense": 10.5, "employees": -3}),
        )
        .await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    // serde stops at the first type error; the JSON number is named.
    assert_eq!(resp.error_fields(), ["rd_expense"]);
    let resp = s
        .put(
            &s.liaison,
            "2026-Q1",
            json!({"revenue": "-1.00", "employees": -3}),
        )
        .await;
    assert_eq!(resp.status, 422, "{}", resp.text);
    assert_eq!(resp.error_fields(), ["revenue", "employees"]);
    let unknown = s
        .put(&s.liaison, "2026-Q1", json!({"turnover": "1.00"}))
        .await;
    assert_eq!(unknown.status, 422);
    assert_eq!(s.app.count("indicators").await, 0);
}

#[actix_web::test]
async fn assigned_liaison_and_the_statistics_bureau_report_nobody_else() {
    let s = setup().await;
    let tjj = s.app.user("tjj", &[Role::Liaison]).await;
    let resp = s.put(&tjj, "2026-Q1", json!({"revenue": "10.00"})).await;
    assert_eq!(
        resp.status, 201,
        "tjj reports for any enterprise: {}",
        resp.text
    );
    for (dept, role) in [
        ("tjj", Role::Analyst),
        ("fgw", Role::Liaison),
        ("gxw", Role::Finance),
        ("gxw", Role::Analyst),
    ] {
        let who = s.app.user(dept, &[role]).await;
        let resp = s.put(&who, "2026-Q2", json!({"revenue": "10.00"})).await;
        assert_eq!(resp.status, 403, "{dept} {role:?}: {}", resp.text);
    }
    assert_eq!(s.app.count("indicators").await, 1);
}

#[actix_web::test]
async fn history_lists_quarters_in_order_within_the_range() {
    let s = setup().await;
    for q in ["2026-Q2", "2025-Q1", "2025-Q4", "2026-Q1"] {
        let resp = s.put(&s.liaison, q, json!({"revenue": "1.00"})).await;
        assert_eq!(resp.status, 201, "{}", resp.text);
    }
    let analyst = s.app.user("fgw", &[Role::Analyst]).await;
    let path = format!("/api/v1/enterprises/{}/indicators", s.enterprise);
    let all = s.app.get(&path, &analyst.token).await;
    assert_eq!(all.status, 200);
    let quarters = |r: &crate::common::Resp| -> Vec<String> {
        let page = r.page::<Indicator>().items;
        page.into_iter().map(|i| i.quarter).collect()
    };
    assert_eq!(quarters(&all), ["2025-Q1", "2025-Q4", "2026-Q1", "2026-Q2"]);
    let some = s
        .app
        .get(&format!("{path}?from=2025-Q4&to=2026-Q1"), &analyst.token)
        .await;
    assert_eq!(quarters(&some), ["2025-Q4", "2026-Q1"]);
    let bad = s
        .app
        .get(&format!("{path}?from=2025-13"), &analyst.token)
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.error_fields(), ["from"]);
    let missing = s
        .app
        .get(
            "/api/v1/enterprises/00000000-0000-0000-0000-000000000000/indicators",
            &analyst.token,
        )
        .await;
    assert_eq!(missing.status, 404);
}
