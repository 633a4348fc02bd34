//! A demo demand's history as the loop's rules allow it: raised by the visiting officer, moved by
//! an officer of the department it is assigned to at that moment, urged by the supervisor,
//! followed up (回访) by the raising officer or the supervisor — every follow-up kept, the
//! unsatisfied ones too.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{demand_events, demand_follow_ups, demands, users};

/// Who acts in the demo: one liaison officer per department, and the supervisor.
pub struct Cast {
    liaisons: HashMap<String, Uuid>,
    supervisor: Option<Uuid>,
    /// Everyone's department, for the follow-ups they make.
    departments: HashMap<Uuid, String>,
}

impl Cast {
    /// The demo's users, by department and role.
    pub async fn load(conn: &mut AsyncPgConnection) -> QueryResult<Cast> {
        let people: Vec<(Uuid, String, Vec<String>)> = users::table
            .filter(users::disabled.eq(false))
            .select((users::id, users::department, users::roles))
            .order(users::username)
            .load(conn)
            .await?;
        let mut liaisons = HashMap::new();
        let mut supervisor = None;
        let mut departments = HashMap::new();
        for (id, department, roles) in people {
            if roles.iter().any(|r| r == "liaison") {
                liaisons.entry(department.clone()).or_insert(id);
            }
            if supervisor.is_none() && roles.iter().any(|r| r == "supervisor") {
                supervisor = Some(id);
            }
            departments.insert(id, department);
        }
        Ok(Cast {
            liaisons,
            supervisor,
            departments,
        })
    }
}

/// One step of a demo story.
struct Step {
    at: DateTime<Utc>,
    actor: Uuid,
    from: Option<&'static str>,
    to: &'static str,
    kind: &'static str,
    note: Option<&'static str>,
    rating: Option<&'static str>,
    /// The department the demand is with after the step.
    department: String,
    /// The actor's own department.
    by_department: String,
}

/// A demo demand being told, step by step.
pub struct Story {
    pub id: Uuid,
    pub enterprise_id: Uuid,
    pub raiser: (Uuid, String),
    status: &'static str,
    department: String,
    steps: Vec<Step>,
    urges: i32,
}

impl Story {
    pub fn new(
        enterprise_id: Uuid,
        raised_at: DateTime<Utc>,
        raiser: (Uuid, String),
        dept: &str,
    ) -> Story {
        let created = Step {
            at: raised_at,
            actor: raiser.0,
            from: None,
            to: "open",
            kind: "created",
            note: None,
            rating: None,
            department: dept.to_owned(),
            by_department: raiser.1.clone(),
        };
        Story {
            id: Uuid::new_v4(),
            enterprise_id,
            raiser,
            status: "open",
            department: dept.to_owned(),
            steps: vec![created],
            urges: 0,
        }
    }

    /// Tells one more step at `at`; false when nobody may take it (the story stops there).
    pub fn tell(&mut self, step: &str, at: DateTime<Utc>, cast: &Cast, roll: usize) -> bool {
        let handler = cast.liaisons.get(&self.department).copied();
        let supervisor = cast.supervisor;
        let (actor, to, kind, note, rating) = match step {
            "accepted" => (
                handler,
                "accepted",
                "transition",
                Some("已签收，正在协调"),
                None,
            ),
            "resolved" => (
                handler,
                "resolved",
                "transition",
                Some("已协调相关部门办结"),
                None,
            ),
            "rejected" => (
                handler,
                "rejected",
                "transition",
                Some("不符合政策支持条件，已向企业说明"),
                None,
            ),
            "reassigned" => {
                let target = if self.department == "fgw" {
                    "gxw"
                } else {
                    "fgw"
                };
                let actor = handler.filter(|_| cast.liaisons.contains_key(target));
                if actor.is_some() {
                    self.department = target.to_owned();
                }
                (
                    actor,
                    self.status,
                    "reassigned",
                    Some("涉及其他部门职能，转交办理"),
                    None,
                )
            }
            "urged" => (
                supervisor,
                self.status,
                "urged",
                Some("请加快办理，按期办结"),
                None,
            ),
            "unsatisfied" => (
                Some(self.raiser.0),
                "accepted",
                "follow_up",
                Some("回访企业，反映问题尚未解决，重新办理"),
                Some("unsatisfied"),
            ),
            _ => {
                // 回访: the raising officer or the supervisor calls; 满意 or 基本满意.
                let by = if roll.is_multiple_of(2) {
                    Some(self.raiser.0)
                } else {
                    supervisor
                };
                let rating = if roll.is_multiple_of(3) {
                    "basically_satisfied"
                } else {
                    "satisfied"
                };
                (
                    by,
                    "closed",
                    "follow_up",
                    Some("电话回访，企业对办理结果认可"),
                    Some(rating),
                )
            }
        };
        let Some(actor) = actor else {
            return false;
        };
        let to = if step == "reassigned" { "open" } else { to };
        if step == "urged" {
            self.urges += 1;
        }
        self.steps.push(Step {
            at,
            actor,
            from: Some(self.status),
            to,
            kind,
            note,
            rating,
            department: self.department.clone(),
            by_department: cast.departments.get(&actor).cloned().unwrap_or_default(),
        });
        self.status = to;
        true
    }

    fn first_at(&self, status: &str) -> Option<DateTime<Utc>> {
        self.steps
            .iter()
            .find(|s| s.to == status && s.from != Some(status))
            .map(|s| s.at)
    }

    fn last_at(&self, status: &str) -> Option<DateTime<Utc>> {
        self.steps
            .iter()
            .rev()
            .find(|s| s.to == status && s.from != Some(status))
            .map(|s| s.at)
    }

    /// Writes the demand, its events and its follow-ups.
    pub async fn write(
        &self,
        conn: &mut AsyncPgConnection,
        visit_id: Uuid,
        (category, title): (&str, &str),
        due: NaiveDate,
    ) -> QueryResult<()> {
        let follow_ups: Vec<&Step> = self
            .steps
            .iter()
            .filter(|s| s.kind == "follow_up")
            .collect();
        let resolved = self.steps.iter().any(|s| s.to == "resolved");
        let last = self.steps.last().map_or(Utc::now(), |s| s.at);
        diesel::insert_into(demands::table)
            .values((
                demands::id.eq(self.id),
                demands::enterprise_id.eq(self.enterprise_id),
                demands::visit_id.eq(visit_id),
                demands::category.eq(category),
                demands::title.eq(title),
                demands::description.eq(format!("企业在走访中提出：{title}")),
                demands::assigned_department.eq(&self.department),
                demands::due_on.eq(due),
                demands::status.eq(self.status),
                demands::resolution.eq(resolved.then_some("已协调相关部门办结")),
                demands::satisfaction.eq(follow_ups.last().and_then(|s| s.rating)),
                demands::created_by.eq(self.raiser.0),
                demands::raised_by.eq(self.raiser.0),
                demands::raising_department.eq(&self.raiser.1),
                demands::accepted_at.eq(self.first_at("accepted")),
                demands::resolved_at.eq(self.last_at("resolved")),
                demands::closed_at.eq(self.last_at("closed")),
                demands::urges.eq(self.urges),
                demands::follow_ups.eq(follow_ups.len() as i32),
                demands::version.eq(self.steps.len() as i32),
                demands::created_at.eq(self.steps[0].at),
                demands::updated_at.eq(last),
            ))
            .execute(conn)
            .await?;
        self.write_steps(conn).await
    }

    async fn write_steps(&self, conn: &mut AsyncPgConnection) -> QueryResult<()> {
        for step in &self.steps {
            let id = Uuid::new_v4();
            diesel::insert_into(demand_events::table)
                .values((
                    demand_events::id.eq(id),
                    demand_events::demand_id.eq(self.id),
                    demand_events::enterprise_id.eq(self.enterprise_id),
                    demand_events::at.eq(step.at),
                    demand_events::actor.eq(step.actor),
                    demand_events::from_status.eq(step.from),
                    demand_events::to_status.eq(step.to),
                    demand_events::note.eq(step.note),
                    demand_events::assigned_department.eq(&step.department),
                    demand_events::satisfaction.eq(step.rating),
                    demand_events::kind.eq(step.kind),
                ))
                .execute(conn)
                .await?;
            if let Some(rating) = step.rating {
                diesel::insert_into(demand_follow_ups::table)
                    .values((
                        demand_follow_ups::id.eq(id),
                        demand_follow_ups::demand_id.eq(self.id),
                        demand_follow_ups::enterprise_id.eq(self.enterprise_id),
                        demand_follow_ups::by_user.eq(step.actor),
                        demand_follow_ups::department.eq(&step.by_department),
                        demand_follow_ups::at.eq(step.at),
                        demand_follow_ups::method.eq("phone"),
                        demand_follow_ups::rating.eq(rating),
                        demand_follow_ups::comment.eq(step.note),
                    ))
                    .execute(conn)
                    .await?;
            }
        }
        Ok(())
    }
}
