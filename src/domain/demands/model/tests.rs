//! The demand's derived figures, without a database.
use chrono::TimeZone;

use super::*;
use DemandStatus::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A demand raised at 09:00 China time on `raised`.
fn row(status: DemandStatus, due: Option<NaiveDate>, raised: NaiveDate) -> DemandRow {
    let created_at = Utc.from_utc_datetime(&raised.and_hms_opt(1, 0, 0).unwrap_or_default());
    DemandRow {
        id: Uuid::nil(),
        enterprise_id: Uuid::nil(),
        visit_id: None,
        category: DemandCategory::Land,
        title: "用地".into(),
        description: None,
        assigned_department: "gxw".into(),
        due_on: due,
        status,
        resolution: None,
        satisfaction: None,
        created_by: None,
        version: 1,
        created_at,
        updated_at: created_at,
        raised_by: None,
        raising_department: "gxw".into(),
        co_departments: Vec::new(),
        urgency: Urgency::Normal,
        accepted_at: None,
        resolved_at: None,
        closed_at: None,
        urges: 0,
        follow_ups: 0,
        escalated_at: None,
        escalation_level: None,
    }
}

#[test]
fn overdue_needs_a_past_due_date_and_a_pending_status() {
    let today = day(2026, 11, 29);
    let cal = Calendar::default();
    let raised = day(2026, 11, 1);
    let yesterday = today.pred_opt();
    assert!(Demand::from_row(row(Open, yesterday, raised), today, &cal).overdue);
    assert!(Demand::from_row(row(Accepted, yesterday, raised), today, &cal).overdue);
    assert!(!Demand::from_row(row(Resolved, yesterday, raised), today, &cal).overdue);
    assert!(!Demand::from_row(row(Returned, yesterday, raised), today, &cal).overdue);
    assert!(!Demand::from_row(row(Open, Some(today), raised), today, &cal).overdue);
    assert!(!Demand::from_row(row(Open, None, raised), today, &cal).overdue);
}

#[test]
fn handling_days_count_working_days_to_resolution_or_today() {
    // National Day 2026 off; raised Monday 09-28.
    let cal = Calendar::new((1..=7).map(|d| day(2026, 10, d)), [day(2026, 10, 10)]);
    let raised = day(2026, 9, 28);
    let open = Demand::from_row(row(Open, None, raised), day(2026, 10, 9), &cal);
    assert_eq!(open.handling_days, 4, "09-29, 09-30, 10-08, 10-09");
    let mut resolved = row(Resolved, None, raised);
    resolved.resolved_at =
        Some(Utc.from_utc_datetime(&day(2026, 9, 30).and_hms_opt(2, 0, 0).unwrap_or_default()));
    let done = Demand::from_row(resolved, day(2026, 11, 20), &cal);
    assert_eq!(done.handling_days, 2, "the clock stops at resolution");
}
