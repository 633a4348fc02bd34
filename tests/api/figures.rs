//! The leaders' figures (`/stats/demands`, `/stats/coverage`) against figures computed by hand
//! on a small fixture: demands raised through the API, then dated in the past (the statistics
//! read the stored milestones), and enterprises visited on chosen days.

use chrono::Days;
use liaison::domain::actor::Role;
use liaison::domain::stats::coverage::{CoverageFigures, CoverageStats};
use liaison::domain::stats::demands::{DemandFigures, DemandStats};
use serde_json::json;

use crate::common::{TestApp, TestUser};

struct Fixture {
    app: TestApp,
    admin: TestUser,
    officer: TestUser,
    enterprise: String,
}

async fn fixture() -> Fixture {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let officer = app.login_as(Role::Liaison, "gxw").await;
    let enterprise = app
        .enterprise(&admin, 1, json!({"region_code": "360121"}))
        .await
        .id
        .to_string();
    Fixture {
        app,
        admin,
        officer,
        enterprise,
    }
}

/// A demand's story: when it was raised, due, resolved and closed (China time, 10:00), and
/// where it stands now.
struct Story<'a> {
    department: &'a str,
    category: &'a str,
    raised: &'a str,
    due: &'a str,
    resolved: Option<&'a str>,
    closed: Option<&'a str>,
    status: &'a str,
}

impl Fixture {
    async fn demand(&self, s: Story<'_>) -> String {
        let body = json!({"enterprise_id": self.enterprise, "category": s.category,
            "title": "融资需求", "assigned_department": s.department});
        let resp = self
            .app
            .post("/api/v1/demands", &self.officer.token, body)
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        let id = resp.id();
        let at = |day: Option<&str>| day.map(|d| format!("{d} 10:00:00+08"));
        let sql = "UPDATE demands SET created_at = $2::text::timestamptz, due_on = $3::text::date, \
                   resolved_at = $4::text::timestamptz, closed_at = $5::text::timestamptz, \
                   status = $6 WHERE id = $1::text::uuid";
        let args: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
            &id,
            &at(Some(s.raised)),
            &s.due,
            &at(s.resolved),
            &at(s.closed),
            &s.status,
        ];
        self.app
            .db
            .client()
            .await
            .execute(sql, &args)
            .await
            .unwrap();
        id
    }

    async fn follow_up(&self, demand: &str, on: &str, rating: &str) {
        let sql = "INSERT INTO demand_follow_ups (id, demand_id, enterprise_id, by_user, department, \
                   at, method, rating) VALUES (gen_random_uuid(), $1::text::uuid, $2::text::uuid, \
                   $3, 'gxw', ($4 || ' 15:00:00+08')::timestamptz, 'phone', $5)";
        let enterprise = &self.enterprise;
        let args: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
            [&demand, enterprise, &self.officer.id, &on, &rating];
        self.app
            .db
            .client()
            .await
            .execute(sql, &args)
            .await
            .unwrap();
    }

    async fn coverage(&self, query: &str) -> CoverageStats {
        let path = format!("/api/v1/stats/coverage?{query}");
        let resp = self.app.get(&path, &self.admin.token).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
        resp.json()
    }

    async fn demand_stats(&self, query: &str) -> DemandStats {
        let path = format!("/api/v1/stats/demands?{query}");
        let resp = self.app.get(&path, &self.admin.token).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
        resp.json()
    }
}

fn group<'a>(stats: &'a DemandStats, key: &str) -> &'a DemandFigures {
    stats
        .items
        .iter()
        .find(|g| g.key == key)
        .unwrap_or_else(|| panic!("no group {key}: {stats:?}"))
}

#[actix_web::test]
async fn demand_figures_of_a_month_match_the_hand_count() {
    let f = fixture().await;
    // gxw: resolved on time and closed; resolved late; open and overdue; raised in October and
    // resolved only in December (overdue at the end of November); raised late, not yet due.
    // fgw: rejected; resolved late, then sent back for rework (重办) by an unsatisfied 回访.
    #[rustfmt::skip]
    let stories = [
        ("gxw", "2026-11-03", "2026-11-10", Some("2026-11-09"), Some("2026-11-12"), "closed"),
        ("gxw", "2026-11-05", "2026-11-12", Some("2026-11-20"), None, "resolved"),
        ("gxw", "2026-11-10", "2026-11-20", None, None, "open"),
        ("gxw", "2026-10-20", "2026-10-30", Some("2026-12-01"), None, "resolved"),
        ("gxw", "2026-11-25", "2026-12-10", None, None, "open"),
        ("fgw", "2026-11-02", "2026-11-06", None, None, "rejected"),
        ("fgw", "2026-11-02", "2026-11-06", Some("2026-11-13"), None, "accepted"),
    ];
    let mut ids = Vec::new();
    for (department, raised, due, resolved, closed, status) in stories {
        let category = if department == "gxw" {
            "financing"
        } else {
            "land"
        };
        let story = Story {
            department,
            category,
            raised,
            due,
            resolved,
            closed,
            status,
        };
        ids.push(f.demand(story).await);
    }
    let (d1, d7) = (&ids[0], &ids[6]);
    f.follow_up(d1, "2026-11-12", "satisfied").await;
    f.follow_up(d7, "2026-11-16", "unsatisfied").await;
    // Outside the period: a follow-up in December counts for nothing in November.
    f.follow_up(d1, "2026-12-01", "unsatisfied").await;

    let stats = f.demand_stats("from=2026-11-01&to=2026-11-30").await;
    let gxw = group(&stats, "gxw");
    assert_eq!(gxw.name, "江西省工业和信息化厅");
    assert_eq!(
        (gxw.raised, gxw.resolved, gxw.closed, gxw.overdue),
        (4, 2, 1, 2)
    );
    assert_eq!(gxw.completion_rate, Some(0.5), "2 of the 4 raised are done");
    assert_eq!(gxw.on_time_rate, Some(0.5), "11-09 ≤ 11-10; 11-20 > 11-12");
    // 11-03 (Tue) → 11-09 (Mon): 4 working days; 11-05 (Thu) → 11-20 (Fri): 11.
    assert_eq!(gxw.avg_handling_days, Some(7.5));
    assert_eq!((gxw.follow_ups, gxw.unsatisfied), (1, 0));
    assert_eq!(gxw.satisfaction_rate, Some(1.0));

    let fgw = group(&stats, "fgw");
    assert_eq!(
        (fgw.raised, fgw.resolved, fgw.closed, fgw.overdue),
        (2, 1, 0, 1)
    );
    assert_eq!(
        fgw.completion_rate,
        Some(0.0),
        "reworked and rejected are not done"
    );
    assert_eq!(fgw.on_time_rate, Some(0.0));
    assert_eq!(
        fgw.avg_handling_days,
        Some(9.0),
        "11-02 (Mon) → 11-13 (Fri)"
    );
    assert_eq!((fgw.follow_ups, fgw.unsatisfied), (1, 1));
    assert_eq!(
        fgw.satisfaction_rate,
        Some(0.0),
        "an unsatisfied rating counts"
    );

    let t = &stats.total;
    assert_eq!((t.raised, t.resolved, t.closed, t.overdue), (6, 3, 1, 3));
    assert_eq!(t.completion_rate, Some(0.333333));
    assert_eq!(t.on_time_rate, Some(0.333333));
    assert_eq!(t.avg_handling_days, Some(8.0), "(4 + 11 + 9) / 3");
    assert_eq!((t.follow_ups, t.satisfaction_rate), (2, Some(0.5)));

    // By category, city and officer the same demands fall into other groups.
    let by_category = f
        .demand_stats("from=2026-11-01&to=2026-11-30&group_by=category")
        .await;
    let financing = group(&by_category, "financing");
    assert_eq!((financing.name.as_str(), financing.raised), ("融资", 4));
    assert_eq!(group(&by_category, "land").raised, 2);
    let by_city = f
        .demand_stats("from=2026-11-01&to=2026-11-30&group_by=city")
        .await;
    let nanchang = group(&by_city, "360100");
    assert_eq!(
        (nanchang.name.as_str(), nanchang.raised, nanchang.overdue),
        ("南昌市", 6, 3)
    );
    let by_officer = f
        .demand_stats("from=2026-11-01&to=2026-11-30&group_by=officer")
        .await;
    assert_eq!(group(&by_officer, &f.officer.id.to_string()).raised, 6);

    // At the end of October only the October demand existed, open and overdue since 10-30.
    let october = f.demand_stats("from=2026-10-01&to=2026-10-31").await;
    let gxw = group(&october, "gxw");
    assert_eq!(
        (gxw.raised, gxw.overdue, gxw.completion_rate),
        (1, 1, Some(0.0))
    );
    assert_eq!((gxw.follow_ups, gxw.satisfaction_rate), (0, None));
}

#[actix_web::test]
async fn bad_periods_are_refused() {
    let f = fixture().await;
    for (query, field) in [
        ("from=2026-11-30&to=2026-11-01", "from"),
        ("from=2000-01-01&to=2026-11-01", "to"),
    ] {
        let resp = f
            .app
            .get(&format!("/api/v1/stats/demands?{query}"), &f.admin.token)
            .await;
        assert_eq!(resp.status, 422, "{query}: {}", resp.text);
        assert_eq!(resp.error_fields(), [field]);
    }
    for query in ["from=2026-13-01", "group_by=nobody", "window=3"] {
        let resp = f
            .app
            .get(&format!("/api/v1/stats/demands?{query}"), &f.admin.token)
            .await;
        assert_eq!(resp.status, 400, "{query}: {}", resp.text);
    }
    let resp = f
        .app
        .get("/api/v1/stats/coverage?window_days=0", &f.admin.token)
        .await;
    assert_eq!(resp.status, 422, "{}", resp.text);
}

fn covered<'a>(stats: &'a CoverageStats, key: &str) -> &'a CoverageFigures {
    stats
        .items
        .iter()
        .find(|g| g.key == key)
        .unwrap_or_else(|| panic!("no group {key}: {stats:?}"))
}

#[actix_web::test]
async fn coverage_by_department_and_officer_matches_the_hand_count() {
    let f = fixture().await;
    let today = f.app.state.clock.today();
    let ago = |days: u64| (today - Days::new(days)).to_string();
    let officer = f.officer.id;
    let mk = |seed, departments: &[&str], extra: serde_json::Value| {
        let mut body = json!({"assigned_departments": departments, "liaison_officers": [officer]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        f.app.enterprise(&f.admin, seed, body)
    };
    // The fixture's own enterprise: gxw, never visited, no officer.
    let e1 = mk(11, &["gxw"], json!({})).await;
    let e2 = mk(12, &["gxw", "fgw"], json!({})).await;
    let fgw_only = json!({"lead_department": "fgw", "liaison_officers": []});
    mk(13, &["fgw"], fgw_only).await;
    let e4 = mk(14, &["gxw"], json!({"visit_cadence_days": 5})).await;
    let withdrawn = mk(15, &["gxw"], json!({})).await;
    for (e, days) in [(&e1, 10), (&e2, 100), (&e4, 10), (&withdrawn, 1)] {
        let body = json!({"enterprise_id": e.id, "visited_on": ago(days), "kind": "on_site",
                          "officers": [officer], "summary": "走访了解生产经营情况"});
        let resp = f.app.post("/api/v1/visits", &f.officer.token, body).await;
        assert_eq!(resp.status, 201, "{}", resp.text);
    }
    let path = format!("/api/v1/enterprises/{}", withdrawn.id);
    let resp = f
        .app
        .call("DELETE", &path, Some(&f.admin.token), None)
        .await;
    assert!(resp.status < 300, "{}", resp.text);

    let stats = f.coverage("window_days=30").await;
    // gxw: the fixture's enterprise (never visited), e1 (10 days), e2 (100 days), e4 (10 days,
    // past its 5-day cadence). fgw: e2, e3 (never visited).
    let gxw = covered(&stats, "gxw");
    assert_eq!(gxw.name, "江西省工业和信息化厅");
    assert_eq!((gxw.active, gxw.visited, gxw.past_cadence), (4, 2, 3));
    assert_eq!(gxw.coverage, Some(0.5));
    let fgw = covered(&stats, "fgw");
    assert_eq!((fgw.active, fgw.visited, fgw.past_cadence), (2, 0, 2));
    assert_eq!(fgw.coverage, Some(0.0));

    let by_officer = f.coverage("window_days=30&group_by=officer").await;
    let mine = covered(&by_officer, &officer.to_string());
    assert_eq!(
        (mine.active, mine.visited),
        (3, 2),
        "e1, e2, e4; e2 not within 30 days"
    );
    let by_city = f.coverage("window_days=120&group_by=city").await;
    assert_eq!(covered(&by_city, "360100").active, 5);
}
