//! The demand workflow's rules, without a database.
use super::*;
use DemandStatus::*;

const ALL: [DemandStatus; 6] = [Open, Accepted, Resolved, Closed, Rejected, Returned];

fn req(to: DemandStatus) -> TransitionRequest {
    TransitionRequest {
        to,
        note: Some("理由".into()),
        assigned_department: Some("fgw".into()),
        satisfaction: None,
    }
}

#[test]
fn exactly_the_contracts_moves_are_allowed() {
    let allowed = [
        (Open, Open),
        (Accepted, Open),
        (Returned, Open),
        (Open, Accepted),
        (Open, Rejected),
        (Accepted, Rejected),
        (Returned, Rejected),
        (Open, Returned),
        (Accepted, Returned),
        (Accepted, Resolved),
        (Resolved, Accepted),
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
fn rejecting_returning_and_reassigning_give_a_reason() {
    for (from, to) in [(Open, Rejected), (Accepted, Returned), (Accepted, Open)] {
        let mut r = req(to);
        r.note = Some("  ".into());
        let fields: Vec<&str> = match decide(from, "gxw", &r) {
            Err(Refusal::Invalid(problems)) => problems.iter().map(|p| p.field).collect(),
            other => panic!("{from:?} -> {to:?}: {other:?}"),
        };
        assert_eq!(fields, ["note"], "{from:?} -> {to:?}");
    }
    let returned = decide(Open, "gxw", &req(Returned));
    assert_eq!(
        returned.map(|m| (m.to, m.kind)),
        Ok((Returned, MoveKind::Returned))
    );
}

#[test]
fn a_reassignment_names_another_department_unless_the_demand_came_back() {
    let problems = |r: &TransitionRequest, from| match decide(from, "gxw", r) {
        Err(Refusal::Invalid(problems)) => problems.iter().map(|p| (p.field, p.code)).collect(),
        other => panic!("{other:?}"),
    };
    let mut r = req(Open);
    r.assigned_department = None;
    r.note = None;
    let both: Vec<_> = problems(&r, Open);
    assert_eq!(
        both,
        [("assigned_department", "required"), ("note", "required")]
    );
    r.assigned_department = Some("gxw".into());
    r.note = Some("理由".into());
    let same: Vec<_> = problems(&r, Accepted);
    assert_eq!(same, [("assigned_department", "unchanged")]);
    let back = decide(Returned, "gxw", &r);
    assert_eq!(
        back.map(|m| (m.to, m.kind)),
        Ok((Open, MoveKind::Reassigned))
    );
    let m = decide(Accepted, "gxw", &req(Resolved));
    assert_eq!(m.map(|m| m.resolution), Ok(Some("理由".to_owned())));
}

#[test]
fn a_follow_up_closes_reopens_or_leaves_a_rejection() {
    use Satisfaction::*;
    assert_eq!(after_follow_up(Resolved, Satisfied), Ok(Closed));
    assert_eq!(after_follow_up(Resolved, BasicallySatisfied), Ok(Closed));
    assert_eq!(after_follow_up(Resolved, Unsatisfied), Ok(Accepted), "重办");
    assert_eq!(after_follow_up(Rejected, Satisfied), Ok(Closed));
    assert_eq!(after_follow_up(Rejected, Unsatisfied), Ok(Rejected));
    for pending in [Open, Accepted, Returned, Closed] {
        assert!(matches!(
            after_follow_up(pending, Satisfied),
            Err(Refusal::NotAllowed(_))
        ));
    }
}
