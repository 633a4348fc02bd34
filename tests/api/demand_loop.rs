//! The follow-up loop as practice runs it: time limits in working days, 转办, 退回, progress,
//! extensions, 催办, and 回访 by the raising side or a supervisor, each kept.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use liaison::domain::actor::Role;
use liaison::domain::demands::follow_ups::FollowUp;
use liaison::domain::demands::model::{
    Demand, DemandEvent, DemandStatus, ExtensionStatus, Satisfaction,
};
use liaison::domain::enterprises::model::Enterprise;
use liaison::domain::reference::calendar::CalendarYear;
use liaison::web::api::demands::{ExtensionOutcome, FollowUpOutcome};
use liaison::web::api::timeline::TimelineItem;
use serde_json::{Value, json};

use crate::common::{Resp, TestApp, TestUser};

/// An enterprise, an officer of 工信厅 who raises demands, and people of other sides.
struct Loop {
    app: TestApp,
    enterprise: Enterprise,
    raiser: TestUser,
    fgw: TestUser,
    supervisor: TestUser,
}

async fn setup() -> Loop {
    let app = TestApp::new().await;
    let admin = app.admin().await;
    let enterprise = app.enterprise(&admin, 1, json!({})).await;
    let raiser = app.login_as(Role::Liaison, "gxw").await;
    let fgw = app.login_as(Role::Liaison, "fgw").await;
    let supervisor = app.login_as(Role::Supervisor, "yjb").await;
    Loop {
        app,
        enterprise,
        raiser,
        fgw,
        supervisor,
    }
}

impl Loop {
    /// A demand raised by the 工信厅 officer and assigned to 发改委.
    async fn raise(&self, extra: Value) -> Demand {
        let mut body = json!({"enterprise_id": self.enterprise.id, "category": "permits",
            "title": "项目核准手续办理", "assigned_department": "fgw"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let resp = self
            .app
            .post("/api/v1/demands", &self.raiser.token, body)
            .await;
        assert_eq!(resp.status, 201, "{}", resp.text);
        resp.json()
    }

    async fn post(&self, demand: &Demand, what: &str, who: &TestUser, body: Value) -> Resp {
        let path = format!("/api/v1/demands/{}/{what}", demand.id);
        self.app.post(&path, &who.token, body).await
    }

    async fn moved(&self, demand: &Demand, who: &TestUser, body: Value) -> Demand {
        let resp = self.post(demand, "transitions", who, body.clone()).await;
        assert_eq!(resp.status, 200, "{body}: {}", resp.text);
        resp.json()
    }

    async fn events(&self, demand: &Demand) -> Vec<DemandEvent> {
        let path = format!("/api/v1/demands/{}/events", demand.id);
        self.app.get(&path, &self.raiser.token).await.page().items
    }
}

/// The `n`-th working day after `day` by a calendar read from the API: written here again, so
/// the server's arithmetic is checked against another one.
fn working_days_after(day: NaiveDate, n: u32, years: &[CalendarYear]) -> NaiveDate {
    let listed = |d: NaiveDate, pick: fn(&CalendarYear) -> &Vec<NaiveDate>| {
        years.iter().any(|y| pick(y).contains(&d))
    };
    let mut current = day;
    let mut left = n;
    while left > 0 {
        current = current + Days::new(1);
        let weekend = matches!(current.weekday(), Weekday::Sat | Weekday::Sun);
        let working =
            listed(current, |y| &y.workdays) || (!weekend && !listed(current, |y| &y.holidays));
        if working {
            left -= 1;
        }
    }
    current
}

#[actix_web::test]
async fn without_a_due_date_the_time_limit_counts_working_days_of_the_calendar() {
    let l = setup().await;
    let admin = l.app.admin().await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz_shanghai())
        .date_naive();
    // Enter a year in which the next three weekdays are holidays and next Saturday is worked.
    let mut holidays = Vec::new();
    let mut d = today;
    while holidays.len() < 3 {
        d = d + Days::new(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && d.year() == today.year() {
            holidays.push(d);
        }
        if d.year() != today.year() {
            break;
        }
    }
    let saturday = (1..8)
        .map(|i| today + Days::new(i))
        .find(|d| d.weekday() == Weekday::Sat && d.year() == today.year());
    let year = json!({"year": today.year(), "holidays": holidays,
        "workdays": saturday.into_iter().collect::<Vec<_>>()});
    let put = l
        .app
        .call(
            "PUT",
            "/api/v1/reference/calendar",
            Some(&admin.token),
            Some(&year),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let mut years = vec![put.json::<CalendarYear>()];
    let next = format!("/api/v1/reference/calendar?year={}", today.year() + 1);
    years.push(l.app.get(&next, &l.raiser.token).await.json());

    let normal = l.raise(json!({})).await;
    assert_eq!(
        normal.due_on,
        Some(working_days_after(today, 15, &years)),
        "permits: 15"
    );
    let policy = l.raise(json!({"category": "policy"})).await;
    assert_eq!(
        policy.due_on,
        Some(working_days_after(today, 5, &years)),
        "policy: 5"
    );
    let urgent = l.raise(json!({"urgency": "urgent"})).await;
    assert_eq!(
        urgent.due_on,
        Some(working_days_after(today, 3, &years)),
        "urgent: 3"
    );
    let given = l.raise(json!({"due_on": "2098-01-01"})).await;
    assert_eq!(
        given.due_on.map(|d| d.to_string()).as_deref(),
        Some("2098-01-01")
    );

    // Admins change a limit; others may not.
    let limits =
        json!({"items": [{"category": "permits", "urgency": "normal", "working_days": 10}]});
    let refused = l
        .app
        .call(
            "PUT",
            "/api/v1/reference/demand-time-limits",
            Some(&l.raiser.token),
            Some(&limits),
        )
        .await;
    assert_eq!(refused.status, 403);
    let set = l
        .app
        .call(
            "PUT",
            "/api/v1/reference/demand-time-limits",
            Some(&admin.token),
            Some(&limits),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let shorter = l.raise(json!({})).await;
    assert_eq!(shorter.due_on, Some(working_days_after(today, 10, &years)));
}

fn chrono_tz_shanghai() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap()
}

#[actix_web::test]
async fn the_worked_example_raise_sign_reassign_extend_resolve_follow_up_twice() {
    let l = setup().await;
    let kjt = l.app.login_as(Role::Liaison, "kjt").await;
    let demand = l
        .raise(json!({"co_departments": ["kjt", "fgw", "kjt"]}))
        .await;
    assert_eq!(demand.raised_by, Some(l.raiser.id));
    assert_eq!(demand.raising_department, "gxw");
    assert_eq!(
        demand.co_departments,
        ["kjt"],
        "once, never the assigned one"
    );
    assert_eq!(
        demand.enterprise_name.as_deref(),
        Some(l.enterprise.name.as_str())
    );

    // 签收, then 转办 to 科技厅 with a reason.
    let signed = l.moved(&demand, &l.fgw, json!({"to": "accepted"})).await;
    assert!(signed.accepted_at.is_some());
    let no_reason = l
        .post(
            &demand,
            "transitions",
            &l.fgw,
            json!({"to": "open", "assigned_department": "kjt"}),
        )
        .await;
    assert_eq!(
        (no_reason.status, no_reason.error_fields()),
        (422, vec!["note".to_owned()])
    );
    let moved = l.moved(&demand, &l.fgw, json!({"to": "open", "assigned_department": "kjt", "note": "涉及科技成果转化，转科技厅"})).await;
    assert_eq!(
        (moved.status, moved.assigned_department.as_str()),
        (DemandStatus::Open, "kjt")
    );
    assert_eq!(
        l.post(&demand, "transitions", &l.fgw, json!({"to": "accepted"}))
            .await
            .status,
        403,
        "no longer fgw's"
    );
    l.moved(&demand, &kjt, json!({"to": "accepted"})).await;

    // 延期: asked by 科技厅, decided by the supervisor.
    let later = demand.due_on.unwrap() + Days::new(20);
    let ask = json!({"new_due_on": later, "reason": "需组织专家论证"});
    assert_eq!(
        l.post(&demand, "extensions", &l.raiser, ask.clone())
            .await
            .status,
        403
    );
    let asked = l.post(&demand, "extensions", &kjt, ask.clone()).await;
    assert_eq!(asked.status, 201, "{}", asked.text);
    let asked = asked.json::<ExtensionOutcome>();
    assert_eq!(asked.extension.status, ExtensionStatus::Pending);
    assert_eq!(
        l.post(&demand, "extensions", &kjt, ask).await.status,
        409,
        "one pending at a time"
    );
    let decision = format!("extensions/{}/decision", asked.extension.id);
    let approve = json!({"approve": true, "note": "同意"});
    assert_eq!(
        l.post(&demand, &decision, &kjt, approve.clone())
            .await
            .status,
        403
    );
    let decided = l
        .post(&demand, &decision, &l.supervisor, approve.clone())
        .await;
    assert_eq!(decided.status, 200, "{}", decided.text);
    let decided = decided.json::<ExtensionOutcome>();
    assert_eq!(decided.demand.due_on, Some(later));
    assert_eq!(
        decided.demand.extensions[0].status,
        ExtensionStatus::Approved
    );
    assert_eq!(
        l.post(&demand, &decision, &l.supervisor, approve)
            .await
            .status,
        409
    );

    // 办结, then 回访 by the handling department is refused; the raising officer finds it
    // unsatisfied (重办), 科技厅 resolves again, the supervisor finds it satisfied.
    l.moved(
        &demand,
        &kjt,
        json!({"to": "resolved", "note": "已对接省科技成果转化基金"}),
    )
    .await;
    let rate =
        |rating: &str| json!({"method": "phone", "rating": rating, "comment": "电话回访企业"});
    assert_eq!(
        l.post(&demand, "follow-ups", &kjt, rate("satisfied"))
            .await
            .status,
        403
    );
    let first = l
        .post(&demand, "follow-ups", &l.raiser, rate("unsatisfied"))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let first = first.json::<FollowUpOutcome>();
    assert_eq!(first.demand.status, DemandStatus::Accepted, "重办");
    assert_eq!(first.demand.satisfaction, Some(Satisfaction::Unsatisfied));
    l.moved(
        &demand,
        &kjt,
        json!({"to": "resolved", "note": "基金已放款"}),
    )
    .await;
    let second = l
        .post(
            &demand,
            "follow-ups",
            &l.supervisor,
            rate("basically_satisfied"),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    let closed = second.json::<FollowUpOutcome>().demand;
    assert_eq!(closed.status, DemandStatus::Closed);
    assert_eq!(
        (closed.follow_ups, closed.satisfaction),
        (2, Some(Satisfaction::BasicallySatisfied))
    );
    assert!(closed.closed_at.is_some() && closed.resolved_at.is_some());

    // Every rating is kept, and the events tell the whole story.
    let kept: Vec<FollowUp> = l
        .app
        .get(
            &format!("/api/v1/demands/{}/follow-ups", demand.id),
            &l.fgw.token,
        )
        .await
        .page()
        .items;
    let ratings: Vec<_> = kept.iter().map(|f| f.rating).collect();
    assert_eq!(
        ratings,
        [Satisfaction::Unsatisfied, Satisfaction::BasicallySatisfied]
    );
    assert_eq!(kept[0].by_user, l.raiser.id);
    let kinds: Vec<&str> = l
        .events(&demand)
        .await
        .into_iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "transition",
            "reassigned",
            "transition",
            "extension_requested",
            "extension_decided",
            "transition",
            "follow_up",
            "transition",
            "follow_up"
        ]
    );
    // The enterprise's timeline shows each follow-up (回访) with its rating, newest first.
    let timeline = l
        .app
        .get(
            &format!("/api/v1/enterprises/{}/timeline", l.enterprise.id),
            &l.raiser.token,
        )
        .await
        .page::<TimelineItem>()
        .items;
    let ratings: Vec<Satisfaction> = timeline
        .iter()
        .filter(|i| i.kind.as_deref() == Some("follow_up"))
        .filter_map(|i| i.satisfaction)
        .collect();
    assert_eq!(
        ratings,
        [Satisfaction::BasicallySatisfied, Satisfaction::Unsatisfied]
    );
    let audit = l.app.audit_of("demand", &demand.id.to_string()).await;
    assert!(audit.iter().any(|a| a.action == "extension_decided"));
    assert_eq!(audit.iter().filter(|a| a.action == "transition").count(), 7);
}

#[actix_web::test]
async fn a_returned_demand_is_the_raising_sides_to_reassign_or_reject() {
    let l = setup().await;
    let demand = l.raise(json!({})).await;
    let back = json!({"to": "returned", "note": "非本部门职责，请明确承办单位"});
    let returned = l.moved(&demand, &l.fgw, back).await;
    assert_eq!(returned.status, DemandStatus::Returned);
    assert_eq!(
        l.post(
            &demand,
            "transitions",
            &l.fgw,
            json!({"to": "rejected", "note": "x"})
        )
        .await
        .status,
        403
    );
    let other = l.app.login_as(Role::Liaison, "kjt").await;
    assert_eq!(
        l.post(
            &demand,
            "transitions",
            &other,
            json!({"to": "open", "assigned_department": "kjt", "note": "x"})
        )
        .await
        .status,
        403
    );
    let again = l
        .moved(
            &demand,
            &l.raiser,
            json!({"to": "open", "assigned_department": "zrzyt", "note": "用地问题，转自然资源厅"}),
        )
        .await;
    assert_eq!(
        (again.status, again.assigned_department.as_str()),
        (DemandStatus::Open, "zrzyt")
    );
    let second = l.raise(json!({})).await;
    l.moved(
        &second,
        &l.fgw,
        json!({"to": "returned", "note": "材料不全"}),
    )
    .await;
    let rejected = l
        .moved(
            &second,
            &l.raiser,
            json!({"to": "rejected", "note": "企业撤回诉求"}),
        )
        .await;
    assert_eq!(rejected.status, DemandStatus::Rejected);
    // A rejected demand is followed up too; an unsatisfied rating leaves it rejected.
    let rate = json!({"method": "visit", "rating": "unsatisfied"});
    let outcome = l
        .post(&second, "follow-ups", &l.supervisor, rate)
        .await
        .json::<FollowUpOutcome>();
    assert_eq!(outcome.demand.status, DemandStatus::Rejected);
}

#[actix_web::test]
async fn progress_urges_and_who_may_write_them() {
    let l = setup().await;
    let kjt = l.app.login_as(Role::Liaison, "kjt").await;
    let stranger = l.app.login_as(Role::Liaison, "swt").await;
    let analyst = l.app.login_as(Role::Analyst, "tjj").await;
    let demand = l.raise(json!({"co_departments": ["kjt"]})).await;
    let note = json!({"note": "已召开协调会，明确办理时限"});
    for who in [&l.fgw, &kjt, &l.raiser, &l.supervisor] {
        let resp = l.post(&demand, "progress", who, note.clone()).await;
        assert_eq!(resp.status, 200, "{}", resp.text);
    }
    for who in [&stranger, &analyst] {
        assert_eq!(
            l.post(&demand, "progress", who, note.clone()).await.status,
            403
        );
    }
    let blank = l
        .post(&demand, "progress", &l.fgw, json!({"note": "  "}))
        .await;
    assert_eq!(
        (blank.status, blank.error_fields()),
        (422, vec!["note".to_owned()])
    );

    let urge = json!({"note": "请于本周内办结"});
    assert_eq!(
        l.post(&demand, "urges", &l.raiser, urge.clone())
            .await
            .status,
        403
    );
    let urged = l.post(&demand, "urges", &l.supervisor, urge.clone()).await;
    assert_eq!(urged.status, 200, "{}", urged.text);
    assert_eq!(urged.json::<Demand>().urges, 1);
    l.moved(&demand, &l.fgw, json!({"to": "accepted"})).await;
    l.moved(&demand, &l.fgw, json!({"to": "resolved", "note": "已办结"}))
        .await;
    assert_eq!(
        l.post(&demand, "urges", &l.supervisor, urge).await.status,
        409,
        "nothing left to urge"
    );
    let kinds: Vec<&str> = l
        .events(&demand)
        .await
        .into_iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "progress").count(), 4);
    assert_eq!(kinds.iter().filter(|k| **k == "urged").count(), 1);
}

#[actix_web::test]
async fn the_older_closing_move_is_a_follow_up_under_the_same_rule() {
    let l = setup().await;
    let demand = l.raise(json!({})).await;
    l.moved(&demand, &l.fgw, json!({"to": "accepted"})).await;
    l.moved(&demand, &l.fgw, json!({"to": "resolved", "note": "已办结"}))
        .await;
    let close = json!({"to": "closed", "satisfaction": "satisfied"});
    let own = l.post(&demand, "transitions", &l.fgw, close.clone()).await;
    assert_eq!(
        own.status, 403,
        "the handling department does not grade itself"
    );
    let closed = l.moved(&demand, &l.raiser, close).await;
    assert_eq!(
        (closed.status, closed.follow_ups),
        (DemandStatus::Closed, 1)
    );
    let kept: Vec<FollowUp> = l
        .app
        .get(
            &format!("/api/v1/demands/{}/follow-ups", demand.id),
            &l.fgw.token,
        )
        .await
        .page()
        .items;
    assert_eq!(kept.len(), 1);
}

#[actix_web::test]
async fn lists_filter_by_statuses_raiser_co_department_dates_and_title() {
    let l = setup().await;
    l.raise(json!({"title": "协调新厂房建设用地指标", "co_departments": ["zrzyt"]}))
        .await;
    let loan = l
        .raise(json!({"title": "申请技术改造贷款贴息", "due_on": "2098-06-30"}))
        .await;
    let signed = l.raise(json!({"title": "招聘高级焊工"})).await;
    let other = l.app.login_as(Role::Liaison, "kjt").await;
    let body = json!({"enterprise_id": l.enterprise.id, "category": "technology",
        "title": "申报省级企业技术中心", "assigned_department": "kjt"});
    assert_eq!(
        l.app
            .post("/api/v1/demands", &other.token, body)
            .await
            .status,
        201
    );
    // Everything above happened before `cutoff`; only the signing after it.
    let cutoff = chrono::Utc::now();
    l.moved(&signed, &l.fgw, json!({"to": "accepted"})).await;

    let titles = |query: String| {
        let app = &l.app;
        let token = l.fgw.token.clone();
        async move {
            let resp = app.get(&format!("/api/v1/demands?{query}"), &token).await;
            assert_eq!(resp.status, 200, "{query}: {}", resp.text);
            let mut titles: Vec<String> = resp
                .page::<Demand>()
                .items
                .into_iter()
                .map(|d| d.title)
                .collect();
            titles.sort();
            titles
        }
    };
    assert_eq!(titles("status=accepted".into()).await, ["招聘高级焊工"]);
    assert_eq!(
        titles("status=open,accepted&assigned_department=fgw".into())
            .await
            .len(),
        3
    );
    assert_eq!(
        titles(format!("raised_by={}", other.id)).await,
        ["申报省级企业技术中心"]
    );
    assert_eq!(
        titles("co_department=zrzyt".into()).await,
        ["协调新厂房建设用地指标"]
    );
    assert_eq!(
        titles("q=%E7%94%A8%E5%9C%B0".into()).await,
        ["协调新厂房建设用地指标"],
        "q=用地"
    );
    assert!(titles("q=%25".into()).await.is_empty(), "% is literal");
    let before = loan.due_on.unwrap();
    assert!(
        !titles(format!("due_before={before}"))
            .await
            .contains(&loan.title)
    );
    assert!(
        titles("due_before=2099-01-01".into())
            .await
            .contains(&loan.title)
    );
    let since = cutoff.to_rfc3339().replace('+', "%2B");
    assert_eq!(
        titles(format!("updated_since={since}")).await,
        ["招聘高级焊工"]
    );

    let bad = l
        .app
        .get("/api/v1/demands?status=open,done", &l.fgw.token)
        .await;
    assert_eq!(
        bad.status, 400,
        "an unknown status, as any bad query value: {}",
        bad.text
    );
    // Every demand of a list names its enterprise, with no call per row.
    let all = l
        .app
        .get("/api/v1/demands", &l.fgw.token)
        .await
        .page::<Demand>()
        .items;
    assert!(
        all.iter()
            .all(|d| d.enterprise_name.as_deref() == Some(l.enterprise.name.as_str()))
    );
}

#[actix_web::test]
async fn lists_sort_by_due_date_and_change_in_both_directions_page_by_page() {
    let l = setup().await;
    for (title, due) in [
        ("乙", "2098-03-01"),
        ("甲", "2098-01-01"),
        ("丙", "2098-02-01"),
    ] {
        l.raise(json!({"title": title, "due_on": due})).await;
    }
    let walk = |sort: &'static str| {
        let (app, token) = (&l.app, l.fgw.token.clone());
        async move {
            let mut titles = Vec::new();
            let mut path = format!("/api/v1/demands?sort={sort}&limit=1");
            loop {
                let resp = app.get(&path, &token).await;
                assert_eq!(resp.status, 200, "{sort}: {}", resp.text);
                let page = resp.page::<Demand>();
                titles.extend(page.items.into_iter().map(|d| d.title));
                match page.next_cursor {
                    Some(c) => path = format!("/api/v1/demands?sort={sort}&limit=1&cursor={c}"),
                    None => break,
                }
            }
            titles
        }
    };
    assert_eq!(walk("due_on").await, ["甲", "丙", "乙"]);
    assert_eq!(walk("-due_on").await, ["乙", "丙", "甲"]);
    assert_eq!(walk("created_at").await, ["乙", "甲", "丙"]);
    assert_eq!(walk("-created_at").await, ["丙", "甲", "乙"]);
    assert_eq!(walk("updated_at").await.len(), 3);
    // A cursor of one sort is refused by another.
    let first = l
        .app
        .get("/api/v1/demands?sort=due_on&limit=1", &l.fgw.token)
        .await;
    let cursor = first.page::<Demand>().next_cursor.unwrap();
    let mixed = l
        .app
        .get(
            &format!("/api/v1/demands?sort=updated_at&cursor={cursor}"),
            &l.fgw.token,
        )
        .await;
    assert_eq!(mixed.status, 400);
    assert_eq!(
        l.app
            .get("/api/v1/demands?sort=title", &l.fgw.token)
            .await
            .status,
        400
    );
}

#[actix_web::test]
async fn list_parameters_keep_to_their_documented_limits() {
    let l = setup().await;
    // Past its declared limit, `q` is refused like any limited parameter: 422 naming it.
    let long = l
        .app
        .get(
            &format!("/api/v1/demands?q={}", "a".repeat(101)),
            &l.fgw.token,
        )
        .await;
    assert_eq!(
        (long.status, long.error_fields()),
        (422, vec!["q".to_owned()])
    );
    for path in [
        "/api/v1/demands?status=open,%20accepted".to_owned(),
        "/api/v1/demands?status=open,accepted,resolved,closed,rejected,returned,open".to_owned(),
    ] {
        let resp = l.app.get(&path, &l.fgw.token).await;
        assert_eq!(resp.status, 400, "{path}: {}", resp.text);
    }
    let region = l
        .app
        .get("/api/v1/stats/alerts?region_code=3601000", &l.fgw.token)
        .await;
    assert_eq!(
        (region.status, region.error_fields()),
        (422, vec!["region_code".to_owned()])
    );
    let fine = l
        .app
        .get(
            &format!("/api/v1/demands?q={}", "a".repeat(100)),
            &l.fgw.token,
        )
        .await;
    assert_eq!(fine.status, 200);
}
