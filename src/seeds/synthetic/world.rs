//! The synthetic rows, each derived from its index.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio_postgres::Client;
use uuid::Uuid;

use super::copy::{CopyWriter, Value, array, copy_rows};
use super::text;
use super::{CHUNK_ROWS, Scale};
use crate::db::clock::today_in_china;
use crate::domain::enterprises::credit_code;

/// The password of every synthetic user.
pub const SYNTHETIC_PASSWORD: &str = "synthetic-password";

/// Departments with liaison officers, and how many each has.
const LIAISON_DEPARTMENTS: [(&str, usize); 5] =
    [("gxw", 12), ("fgw", 8), ("kjt", 6), ("swt", 4), ("tjj", 4)];

/// Synthetic users: (username, department, role).
pub fn synthetic_users() -> Vec<(String, &'static str, &'static str)> {
    let mut users = vec![("syn.admin".to_owned(), "gxw", "admin")];
    for (dept, n) in LIAISON_DEPARTMENTS {
        for k in 1..=n {
            users.push((format!("syn.{dept}.liaison{k:02}"), dept, "liaison"));
        }
    }
    for k in 1..=4 {
        users.push((format!("syn.czt.finance{k:02}"), "czt", "finance"));
    }
    for k in 1..=2 {
        users.push((format!("syn.yjb.analyst{k:02}"), "yjb", "analyst"));
    }
    users
}

/// Ids that look like v4 UUIDs, one series per kind of row.
pub(super) fn id(series: u16, index: usize) -> Uuid {
    Uuid::from_u64_pair(
        0x5e1e_c7ed_0000_4000 | (u64::from(series) << 16),
        0x8000_0000_0000_0000 | index as u64,
    )
}

pub(super) const ENTERPRISE: u16 = 1;
pub(super) const USER: u16 = 2;
pub(super) const DEMAND: u16 = 3;
pub(super) const MEASURE: u16 = 4;

pub(super) fn rng(series: u16, index: usize) -> StdRng {
    StdRng::seed_from_u64((u64::from(series) << 48) ^ index as u64)
}

/// The 31 characters of credit codes.
const CODE_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A valid GB 32100-2015 code, unique per index.
fn credit_code_of(region: &str, index: usize) -> String {
    let mut org = [b'0'; 9];
    let mut n = index;
    for slot in org.iter_mut().rev() {
        *slot = CODE_CHARS[n % 31];
        n /= 31;
    }
    let first17 = format!("91{region}{}", String::from_utf8_lossy(&org));
    let check = credit_code::check_character(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// What other rows need to know of an enterprise.
pub struct EnterpriseFacts {
    pub id: Uuid,
    pub lead: &'static str,
    pub officer: Uuid,
}

/// The shared inputs: scale and reference codes.
pub struct World {
    pub(super) scale: Scale,
    regions: Vec<String>,
    subcategories: Vec<(String, String)>,
    users: Vec<(String, &'static str, &'static str)>,
    /// Each liaison department's officers, as user ids, worked out once (not per row).
    officers: HashMap<&'static str, Vec<Uuid>>,
    pub(super) today: NaiveDate,
}

pub(super) fn weighted<T: Copy>(rng: &mut StdRng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total);
    for (value, weight) in choices {
        if roll < *weight {
            return *value;
        }
        roll -= weight;
    }
    choices[0].0
}

impl World {
    pub fn new(scale: Scale, regions: Vec<String>, subcategories: Vec<(String, String)>) -> World {
        let users = synthetic_users();
        let mut officers: HashMap<&'static str, Vec<Uuid>> = HashMap::new();
        for (i, (_, dept, role)) in users.iter().enumerate() {
            if *role == "liaison" {
                officers.entry(*dept).or_default().push(id(USER, i));
            }
        }
        World {
            scale,
            regions,
            subcategories,
            users,
            officers,
            today: today_in_china(),
        }
    }

    /// The user id of the `k`-th liaison officer (from 0) of `dept` (the admin where the
    /// department has none).
    fn officer(&self, dept: &str, k: usize) -> Uuid {
        match self.officers.get(dept) {
            Some(ids) if !ids.is_empty() => ids[k % ids.len()],
            _ => id(USER, 0),
        }
    }

    fn lead_of(rng: &mut StdRng) -> &'static str {
        weighted(rng, &[("gxw", 50), ("fgw", 25), ("kjt", 15), ("swt", 10)])
    }

    /// An enterprise's department and officer, as its row has them.
    pub fn enterprise(&self, index: usize) -> EnterpriseFacts {
        let mut r = rng(ENTERPRISE, index);
        let lead = Self::lead_of(&mut r);
        EnterpriseFacts {
            id: id(ENTERPRISE, index),
            lead,
            officer: self.officer(lead, index),
        }
    }

    pub(super) fn day_within(&self, rng: &mut StdRng, days: i64) -> NaiveDate {
        self.today - Duration::days(rng.gen_range(0..days))
    }

    pub async fn copy_users(&self, client: &Client, hash: &str) -> anyhow::Result<u64> {
        let mut done = false;
        copy_rows(
            client,
            "users",
            "id, username, display_name, password_hash, department, roles",
            |w| {
                if !done {
                    for (i, (username, dept, role)) in self.users.iter().enumerate() {
                        let name = format!("合成用户{i:02}");
                        w.row(&[
                            Value::Text(&id(USER, i).to_string()),
                            Value::Text(username),
                            Value::Text(&name),
                            Value::Text(hash),
                            Value::Text(dept),
                            Value::Text(&array(&[role])),
                        ]);
                    }
                    done = true;
                }
                false
            },
        )
        .await
    }

    pub async fn copy_enterprises(&self, client: &Client) -> anyhow::Result<u64> {
        let mut next = 0;
        copy_rows(
            client,
            "enterprises",
            "id, name, credit_code, region_code, category, subcategory, size, lead_department, \
             legal_representative, address, key_products, designated_on, designation_batch, \
             status, assigned_departments, liaison_officers, tags, employees, description",
            |w| {
                let end = (next + CHUNK_ROWS).min(self.scale.enterprises);
                for i in next..end {
                    self.enterprise_row(w, i);
                }
                next = end;
                next < self.scale.enterprises
            },
        )
        .await
    }

    fn enterprise_row(&self, w: &mut CopyWriter, i: usize) {
        let facts = self.enterprise(i);
        let mut r = rng(ENTERPRISE, i);
        let _lead = Self::lead_of(&mut r); // the same draw as in `enterprise`
        let region = &self.regions[r.gen_range(0..self.regions.len())];
        let (category, subcategory) = &self.subcategories[r.gen_range(0..self.subcategories.len())];
        let size = weighted(
            &mut r,
            &[("micro", 20), ("small", 45), ("medium", 25), ("large", 10)],
        );
        let status = weighted(
            &mut r,
            &[("active", 94), ("suspended", 4), ("withdrawn", 2)],
        );
        let mut assigned = vec![facts.lead];
        if r.gen_bool(0.3) {
            let second = if facts.lead == "kjt" { "gxw" } else { "kjt" };
            assigned.push(second);
        }
        let designated = NaiveDate::from_ymd_opt(2015, 6, 1).unwrap_or_default()
            + Duration::days(r.gen_range(0..3800));
        let designated = designated.min(self.today);
        let name = text::enterprise_name(&mut r);
        let address = format!("江西省{}路{}号", text::person(&mut r), r.gen_range(1..999));
        let tags: Vec<&str> = if r.gen_bool(0.2) {
            vec!["专精特新"]
        } else {
            vec![]
        };
        let employees = r.gen_range(20..3000).to_string();
        let description = format!(
            "主要从事{}的研发、生产和销售。",
            text::products(&mut r).join("、")
        );
        w.row(&[
            Value::Text(&facts.id.to_string()),
            Value::Text(&name),
            Value::Text(&credit_code_of(region, i)),
            Value::Text(region),
            Value::Text(category),
            Value::Text(subcategory),
            Value::Text(size),
            Value::Text(facts.lead),
            Value::Text(&text::person(&mut r)),
            Value::Text(&address),
            Value::Text(&array(&text::products(&mut r))),
            Value::Text(&designated.to_string()),
            Value::Text(&format!("第{}批", 1 + designated.year() % 10)),
            Value::Text(status),
            Value::Text(&array(&assigned)),
            Value::Text(&array(&[facts.officer])),
            Value::Text(&array(&tags)),
            Value::Text(&employees),
            Value::Text(&description),
        ]);
    }

    pub async fn copy_visits(&self, client: &Client) -> anyhow::Result<u64> {
        const KINDS: [(&str, u32); 4] = [
            ("on_site", 60),
            ("phone", 25),
            ("video", 10),
            ("meeting", 5),
        ];
        let mut next = 0;
        let mut r = StdRng::seed_from_u64(0x5151);
        copy_rows(
            client,
            "visits",
            "id, enterprise_id, department, visited_on, kind, officers, summary, participants, \
             findings, created_by",
            |w| {
                let end = (next + CHUNK_ROWS).min(self.scale.visits);
                for _ in next..end {
                    let e = self.enterprise(r.gen_range(0..self.scale.enterprises));
                    let on = self.day_within(&mut r, 730);
                    let findings = r
                        .gen_bool(0.3)
                        .then_some("企业反映原材料价格上涨，资金周转偏紧");
                    w.row(&[
                        Value::Text(&Uuid::new_v4().to_string()),
                        Value::Text(&e.id.to_string()),
                        Value::Text(e.lead),
                        Value::Text(&on.to_string()),
                        Value::Text(weighted(&mut r, &KINDS)),
                        Value::Text(&array(&[e.officer])),
                        Value::Text(text::visit_summary(&mut r)),
                        Value::Text(&format!("{}（总经理）", text::person(&mut r))),
                        findings.map_or(Value::Null, Value::Text),
                        Value::Text(&e.officer.to_string()),
                    ]);
                }
                next = end;
                next < self.scale.visits
            },
        )
        .await
    }
}
