//! Synthetic demands and their events: each demand's history is derived from its index, so the
//! events are computed in a second pass rather than kept.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use tokio_postgres::Client;
use uuid::Uuid;

use super::CHUNK_ROWS;
use super::copy::{Value, copy_rows};
use super::text;
use super::world::{DEMAND, World, id, rng, weighted};

/// A demand as generated.
struct DemandFacts {
    id: Uuid,
    enterprise: Uuid,
    officer: Uuid,
    department: &'static str,
    category: &'static str,
    title: &'static str,
    created: DateTime<Utc>,
    due_on: chrono::NaiveDate,
    status: &'static str,
}

impl DemandFacts {
    /// The status steps from creation: (from, to).
    fn steps(&self) -> &'static [(Option<&'static str>, &'static str)] {
        match self.status {
            "accepted" => &[(None, "open"), (Some("open"), "accepted")],
            "resolved" => &[
                (None, "open"),
                (Some("open"), "accepted"),
                (Some("accepted"), "resolved"),
            ],
            "closed" => &[
                (None, "open"),
                (Some("open"), "accepted"),
                (Some("accepted"), "resolved"),
                (Some("resolved"), "closed"),
            ],
            "rejected" => &[(None, "open"), (Some("open"), "rejected")],
            _ => &[(None, "open")],
        }
    }

    /// When step `k` happened: three days apart.
    fn at(&self, k: usize) -> DateTime<Utc> {
        self.created + Duration::days(3 * k as i64)
    }
}

impl World {
    fn demand(&self, index: usize) -> DemandFacts {
        let mut r = rng(DEMAND, index);
        let e = self.enterprise(r.gen_range(0..self.scale.enterprises));
        let (title, category) = text::demand(&mut r);
        let department = if r.gen_bool(0.8) {
            e.lead
        } else {
            weighted(&mut r, &[("fgw", 1), ("kjt", 1), ("czt", 1)])
        };
        let created = Utc::now()
            - Duration::days(r.gen_range(10..730))
            - Duration::minutes(r.gen_range(0..1440));
        let due_on = (created + Duration::days(r.gen_range(30..90))).date_naive();
        let status = weighted(
            &mut r,
            &[
                ("open", 15),
                ("accepted", 20),
                ("resolved", 15),
                ("closed", 40),
                ("rejected", 10),
            ],
        );
        DemandFacts {
            id: id(DEMAND, index),
            enterprise: e.id,
            officer: e.officer,
            department,
            category,
            title,
            created,
            due_on,
            status,
        }
    }

    pub async fn copy_demands(&self, client: &Client) -> anyhow::Result<u64> {
        let total = self.scale.demands();
        let mut next = 0;
        copy_rows(
            client,
            "demands",
            "id, enterprise_id, category, title, description, assigned_department, due_on, \
             status, resolution, satisfaction, created_by, raised_by, raising_department, \
             created_at, updated_at, resolved_at, closed_at",
            |w| {
                let end = (next + CHUNK_ROWS).min(total);
                for i in next..end {
                    let d = self.demand(i);
                    let done = matches!(d.status, "resolved" | "closed");
                    let last = d.at(d.steps().len() - 1);
                    let (resolved_at, closed_at) = (d.at(2).to_rfc3339(), d.at(3).to_rfc3339());
                    w.row(&[
                        Value::Text(&d.id.to_string()),
                        Value::Text(&d.enterprise.to_string()),
                        Value::Text(d.category),
                        Value::Text(d.title),
                        Value::Text("企业在走访中提出，需协调相关部门办理"),
                        Value::Text(d.department),
                        Value::Text(&d.due_on.to_string()),
                        Value::Text(d.status),
                        if done {
                            Value::Text("已协调办结")
                        } else {
                            Value::Null
                        },
                        if d.status == "closed" {
                            Value::Text("satisfied")
                        } else {
                            Value::Null
                        },
                        Value::Text(&d.officer.to_string()),
                        Value::Text(&d.officer.to_string()),
                        // The raising officer is of the department the demand went to.
                        Value::Text(d.department),
                        Value::Text(&d.created.to_rfc3339()),
                        Value::Text(&last.to_rfc3339()),
                        // Resolved at the third step, closed at the fourth.
                        if done {
                            Value::Text(&resolved_at)
                        } else {
                            Value::Null
                        },
                        if d.status == "closed" {
                            Value::Text(&closed_at)
                        } else {
                            Value::Null
                        },
                    ]);
                }
                next = end;
                next < total
            },
        )
        .await
    }

    pub async fn copy_demand_events(&self, client: &Client) -> anyhow::Result<u64> {
        let total = self.scale.demands();
        let mut next = 0;
        copy_rows(
            client,
            "demand_events",
            "id, demand_id, enterprise_id, at, actor, from_status, to_status, note, \
             assigned_department, satisfaction",
            |w| {
                let end = (next + CHUNK_ROWS).min(total);
                for i in next..end {
                    let d = self.demand(i);
                    for (k, (from, to)) in d.steps().iter().enumerate() {
                        let note = match *to {
                            "rejected" => Value::Text("不属于本部门职责范围，已告知企业"),
                            "resolved" => Value::Text("已协调办结"),
                            _ => Value::Null,
                        };
                        w.row(&[
                            Value::Text(&Uuid::new_v4().to_string()),
                            Value::Text(&d.id.to_string()),
                            Value::Text(&d.enterprise.to_string()),
                            Value::Text(&d.at(k).to_rfc3339()),
                            Value::Text(&d.officer.to_string()),
                            from.map_or(Value::Null, Value::Text),
                            Value::Text(to),
                            note,
                            if k == 0 {
                                Value::Text(d.department)
                            } else {
                                Value::Null
                            },
                            if *to == "closed" {
                                Value::Text("satisfied")
                            } else {
                                Value::Null
                            },
                        ]);
                    }
                }
                next = end;
                next < total
            },
        )
        .await
    }
}
