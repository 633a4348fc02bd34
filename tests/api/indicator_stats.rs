//! Indicator figures leaders can trust: checks on entry, comparable (同口径) year-on-year growth,
//! year to date, filters, Chinese group names, and who has not reported.

use liaison::domain::actor::Role;
use liaison::domain::stats::indicators::{IndicatorGroup, IndicatorStats};
use liaison::web::api::indicator_stats::Completeness;
use serde_json::{Value, json};

use crate::common::{Resp, TestApp, TestUser};

struct Desk {
    app: TestApp,
    admin: TestUser,
    reporter: TestUser,
}

async fn desk() -> Desk {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let reporter = app.user("tjj", &[Role::Liaison]).await;
    Desk {
        app,
        admin,
        reporter,
    }
}

impl Desk {
    /// An enterprise designated at the start of 2025, with `extra` fields.
    async fn enterprise(&self, seed: u32, extra: Value) -> String {
        let mut body = json!({"designated_on": "2025-01-01"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.app
            .enterprise(&self.admin, seed, body)
            .await
            .id
            .to_string()
    }

    async fn put(&self, enterprise: &str, quarter: &str, body: Value) -> Resp {
        let path = format!("/api/v1/enterprises/{enterprise}/indicators/{quarter}");
        let body = Some(("application/json", body.to_string()));
        let token = Some(self.reporter.token.as_str());
        self.app.send("PUT", &path, token, &[], body).await
    }

    /// Reports revenue for each `(quarter, revenue)`, in order.
    async fn revenues(&self, enterprise: &str, reports: &[(&str, &str)]) {
        for (quarter, revenue) in reports {
            let resp = self
                .put(enterprise, quarter, json!({"revenue": revenue}))
                .await;
            assert!(resp.status == 201, "{quarter}: {}", resp.text);
        }
    }

    async fn stats(&self, query: &str) -> IndicatorStats {
        let path = format!("/api/v1/stats/indicators?{query}");
        let resp = self.app.get(&path, &self.admin.token).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
        resp.json()
    }
}

fn group<'a>(stats: &'a IndicatorStats, key: &str) -> &'a IndicatorGroup {
    stats
        .items
        .iter()
        .find(|g| g.key == key)
        .unwrap_or_else(|| panic!("no group {key}: {stats:?}"))
}

fn text(m: Option<liaison::db::money::Money>) -> Option<String> {
    m.map(|m| m.to_string())
}

#[actix_web::test]
async fn figures_are_checked_on_entry() {
    let d = desk().await;
    let e = d.enterprise(1, json!({})).await;
    // Parts of revenue larger than revenue: a slip of units.
    let bad = d
        .put(
            &e,
            "2026-Q2",
            json!({"revenue": "100.00", "emergency_revenue": "900.00",
             "profit": "200.00", "export_value": "50.00"}),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert_eq!(bad.error_fields(), ["emergency_revenue", "profit"]);
    assert_eq!(bad.error_codes(), ["exceeds_revenue", "exceeds_revenue"]);
    // The running quarter has not ended (today is in it).
    let today = d.app.state.clock.today();
    let running = liaison::db::quarter::Quarter::of(today).to_string();
    let early = d.put(&e, &running, json!({"revenue": "100.00"})).await;
    assert_eq!(early.status, 422, "{}", early.text);
    assert_eq!(early.error_codes(), ["quarter_not_ended"]);
    assert_eq!(d.app.count("indicators").await, 0, "nothing stored");

    // More than 5× the previous quarter needs confirming; then it is stored.
    d.revenues(&e, &[("2026-Q2", "100.00")]).await;
    let jump = d.put(&e, "2026-Q3", json!({"revenue": "600.00"})).await;
    assert_eq!(jump.status, 422, "{}", jump.text);
    assert_eq!(jump.error_codes(), ["needs_confirmation"]);
    assert_eq!(jump.error_fields(), ["revenue"]);
    let five = d.put(&e, "2026-Q3", json!({"revenue": "500.00"})).await;
    assert_eq!(five.status, 201, "5× exactly is fine: {}", five.text);
    let confirmed = d
        .put(&e, "2026-Q3", json!({"revenue": "600.00", "confirm": true}))
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
}

#[actix_web::test]
async fn year_on_year_compares_the_same_enterprises() {
    let d = desk().await;
    let a = d.enterprise(1, json!({})).await;
    let b = d.enterprise(2, json!({})).await;
    d.revenues(
        &a,
        &[
            ("2025-Q1", "50.00"),
            ("2025-Q2", "60.00"),
            ("2025-Q3", "100.00"),
        ],
    )
    .await;
    d.revenues(
        &b,
        &[
            ("2025-Q1", "100.00"),
            ("2025-Q2", "100.00"),
            ("2025-Q3", "200.00"),
        ],
    )
    .await;
    d.revenues(
        &a,
        &[
            ("2026-Q1", "55.00"),
            ("2026-Q2", "65.00"),
            ("2026-Q3", "110.00"),
        ],
    )
    .await;
    // B skipped 2026-Q2.
    d.revenues(&b, &[("2026-Q1", "90.00"), ("2026-Q3", "180.00")])
        .await;

    let before = d.stats("quarter=2026-Q3").await;
    let rescue = group(&before, "rescue_disposal");
    assert_eq!(rescue.name, "处置救援");
    // (110 + 180 − (100 + 200)) / 300
    assert_eq!(rescue.revenue_yoy, Some(-0.033333));
    assert_eq!(text(rescue.revenue).as_deref(), Some("290.00"));

    // A newly designated enterprise reports for the first time: the sum grows, the growth does
    // not move (it has no year-earlier figures to compare).
    let n = d.enterprise(3, json!({"region_code": "360402"})).await;
    d.revenues(&n, &[("2026-Q3", "1000.00")]).await;
    let after = d.stats("quarter=2026-Q3").await;
    let rescue = group(&after, "rescue_disposal");
    assert_eq!(rescue.revenue_yoy, Some(-0.033333), "同口径: unchanged");
    assert_eq!(text(rescue.revenue).as_deref(), Some("1290.00"));
    let counts = (
        rescue.enterprises,
        rescue.enterprises_current,
        rescue.enterprises_previous,
    );
    assert_eq!(counts, (2, 3, 2));

    // Year to date: only A reported every quarter of both years (B missed 2026-Q2).
    let ytd = d.stats("quarter=2026-Q3&ytd=true").await;
    let rescue = group(&ytd, "rescue_disposal");
    assert!(ytd.ytd);
    // A: 55 + 65 + 110 = 230 against 50 + 60 + 100 = 210.
    assert_eq!(rescue.revenue_yoy, Some(0.095238));
    // Everything reported in 2026-Q1..Q3: A 230, B 270, N 1000.
    assert_eq!(text(rescue.revenue).as_deref(), Some("1500.00"));
    assert_eq!((rescue.enterprises, rescue.enterprises_current), (1, 3));

    // Filters combine with the grouping; groups carry their Chinese names.
    let jiujiang = d
        .stats("quarter=2026-Q3&region_code=360400&group_by=region")
        .await;
    assert_eq!(jiujiang.items.len(), 1, "{jiujiang:?}");
    let city = &jiujiang.items[0];
    assert_eq!(
        (city.key.as_str(), city.name.as_str()),
        ("360400", "九江市")
    );
    assert_eq!((city.revenue_yoy, city.enterprises_current), (None, 1));
    let none = d.stats("quarter=2026-Q3&category=monitoring_warning").await;
    assert!(none.items.is_empty());
    let by_size = d.stats("quarter=2026-Q3&group_by=size").await;
    assert_eq!(group(&by_size, "medium").name, "中型");
    let bad = d
        .app
        .get("/api/v1/stats/indicators?region_code=3601", &d.admin.token)
        .await;
    assert_eq!(bad.status, 422, "{}", bad.text);
}

#[actix_web::test]
async fn completeness_lists_who_has_not_reported() {
    let d = desk().await;
    let mut reported = Vec::new();
    for seed in 1..=3 {
        reported.push(d.enterprise(seed, json!({})).await);
    }
    let silent = d
        .enterprise(4, json!({"name": "江西赣北未报企业有限公司"}))
        .await;
    // Designated after the quarter: not expected. Withdrawn: not expected.
    d.enterprise(5, json!({"designated_on": "2026-10-15"}))
        .await;
    let withdrawn = d.enterprise(6, json!({})).await;
    let path = format!("/api/v1/enterprises/{withdrawn}");
    let resp = d
        .app
        .call("DELETE", &path, Some(&d.admin.token), None)
        .await;
    assert!(resp.status < 300, "{}", resp.text);
    for e in &reported {
        d.revenues(e, &[("2026-Q3", "100.00")]).await;
    }

    let resp = d
        .app
        .get(
            "/api/v1/stats/indicators/completeness?quarter=2026-Q3",
            &d.admin.token,
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    let c: Completeness = resp.json();
    assert_eq!((c.expected, c.reported, c.rate), (4, 3, Some(0.75)));
    let missing: Vec<String> = c
        .items
        .iter()
        .map(|m| m.enterprise_id.to_string())
        .collect();
    assert_eq!(missing, [silent]);
    assert_eq!(c.items[0].name, "江西赣北未报企业有限公司");
    assert_eq!(c.next_cursor, None);
    let other_department = d
        .app
        .get(
            "/api/v1/stats/indicators/completeness?quarter=2026-Q3&department=kjt",
            &d.admin.token,
        )
        .await
        .json::<Completeness>();
    assert_eq!(
        (other_department.expected, other_department.rate),
        (0, None)
    );
}
