//! The demand workflow's rules, without a database.
use super::*;
use DemandStatus::*;

const ALL: [DemandStatus; 5] = [Open, Accepted, Resolved, Closed, Rejected];

fn req(to: DemandStatus) -> TransitionRequest {
    TransitionRequest {
        to,
        note: Some("理由".into()),
        assigned_department: Some("fgw".into()),
        satisfaction: Some(Satisfaction::Satisfied),
    }
}

#[test]
fn exactly_the_contracts_moves_are_allowed() {
    let allowed = [
        (Open, Open),
        (Open, Accepted),
        (Open, Rejected),
        (Accepted, Resolved),
        (Accepted, Rejected),
        (Resolved, Accepted),
        (Resolved, Closed),
    ];
    for from in ALL {
        for to in ALL {
            let result = decide(from, "gxw", &req(to));
            assert_eq!(
                result.is_ok(),
                allowed.contains(&(from, to)),
                "{from:?} -> {to:?}: {result:?}"
            );
            if !allowed.contains(&(from, to)) {
                assert!(matches!(result, Err(Refusal::NotAllowed(_))));
            }
        }
    }
}

#[test]
fn moves_that_need_a_field_name_it() {
    let mut r = req(Rejected);
    r.note = Some("  ".into());
    assert!(matches!(
        decide(Open, "gxw", &r),
        Err(Refusal::Invalid { field: "note", .. })
    ));
    let mut r = req(Closed);
    r.satisfaction = None;
    assert!(matches!(
        decide(Resolved, "gxw", &r),
        Err(Refusal::Invalid {
            field: "satisfaction",
            ..
        })
    ));
    let mut r = req(Open);
    r.assigned_department = None;
    assert!(matches!(
        decide(Open, "gxw", &r),
        Err(Refusal::Invalid {
            field: "assigned_department",
            ..
        })
    ));
    r.assigned_department = Some("gxw".into());
    assert!(matches!(
        decide(Open, "gxw", &r),
        Err(Refusal::Invalid {
            code: "unchanged",
            ..
        })
    ));
}

#[test]
fn an_unsatisfied_close_goes_back_to_accepted() {
    let mut r = req(Closed);
    r.satisfaction = Some(Satisfaction::Unsatisfied);
    let m = decide(Resolved, "gxw", &r);
    assert_eq!(
        m.map(|m| (m.to, m.satisfaction)),
        Ok((Accepted, Some(Satisfaction::Unsatisfied)))
    );
    let m = decide(Accepted, "gxw", &req(Resolved));
    assert_eq!(m.map(|m| m.resolution), Ok(Some("理由".to_owned())));
}

#[test]
fn overdue_needs_a_past_due_date_and_a_pending_status() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
    let row = |status: DemandStatus, due: Option<NaiveDate>| DemandRow {
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
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    let yesterday = today.pred_opt();
    assert!(Demand::from_row(row(Open, yesterday), today).overdue);
    assert!(Demand::from_row(row(Accepted, yesterday), today).overdue);
    assert!(!Demand::from_row(row(Resolved, yesterday), today).overdue);
    assert!(!Demand::from_row(row(Open, Some(today)), today).overdue);
    assert!(!Demand::from_row(row(Open, None), today).overdue);
}
