//! What city spreadsheets write instead of codes: Chinese names and former names (南昌市, 中型,
//! 处置救援, 省工信委, 江西省工业和信息化厅 or 工业和信息化厅), read as the codes they stand
//! for. A code is read as itself; text that names nothing is left as it is, for the usual
//! checks to report.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::{categories, departments, regions, subcategories, users};
use crate::domain::enterprises::model::{EnterpriseSize, EnterpriseStatus};

/// The province's name, which department names may leave out.
const PROVINCE: &str = "江西省";

/// Names and aliases → codes, loaded once per import.
#[derive(Debug, Default)]
pub struct Labels {
    regions: HashMap<String, String>,
    categories: HashMap<String, String>,
    subcategories: HashMap<String, String>,
    departments: HashMap<String, String>,
    /// Usernames → user ids (the 联络员 column).
    pub users: HashMap<String, uuid::Uuid>,
}

impl Labels {
    pub async fn load(conn: &mut AsyncPgConnection) -> QueryResult<Labels> {
        let pairs = |rows: Vec<(String, String)>| rows.into_iter().map(|(code, name)| (name, code));
        let mut labels = Labels {
            regions: pairs(
                regions::table
                    .select((regions::code, regions::name))
                    .load(conn)
                    .await?,
            )
            .collect(),
            categories: pairs(
                categories::table
                    .select((categories::code, categories::name))
                    .load(conn)
                    .await?,
            )
            .collect(),
            subcategories: pairs(
                subcategories::table
                    .select((subcategories::code, subcategories::name))
                    .load(conn)
                    .await?,
            )
            .collect(),
            ..Labels::default()
        };
        let rows: Vec<(String, String, Vec<String>)> = departments::table
            .select((departments::code, departments::name, departments::aliases))
            .load(conn)
            .await?;
        for (code, name, aliases) in rows {
            for label in std::iter::once(name).chain(aliases) {
                if let Some(short) = label.strip_prefix(PROVINCE) {
                    labels.departments.insert(short.to_owned(), code.clone());
                }
                labels.departments.insert(label, code.clone());
            }
        }
        labels.users = users::table
            .select((users::username, users::id))
            .load::<(String, uuid::Uuid)>(conn)
            .await?
            .into_iter()
            .collect();
        Ok(labels)
    }

    pub fn region(&self, text: &str) -> String {
        code_of(&self.regions, text)
    }

    pub fn category(&self, text: &str) -> String {
        code_of(&self.categories, text)
    }

    pub fn subcategory(&self, text: &str) -> String {
        code_of(&self.subcategories, text)
    }

    pub fn department(&self, text: &str) -> String {
        code_of(&self.departments, text)
    }
}

fn code_of(names: &HashMap<String, String>, text: &str) -> String {
    names.get(text).cloned().unwrap_or_else(|| text.to_owned())
}

/// A size from its code or label (大型, 大型企业).
pub fn size(text: &str) -> Option<EnterpriseSize> {
    EnterpriseSize::parse(text).or_else(|| {
        let label = text.strip_suffix("企业").unwrap_or(text);
        [
            EnterpriseSize::Large,
            EnterpriseSize::Medium,
            EnterpriseSize::Small,
            EnterpriseSize::Micro,
        ]
        .into_iter()
        .find(|s| s.label() == label)
    })
}

/// A status from its code or label (正常, 暂停, 撤销).
pub fn status(text: &str) -> Option<EnterpriseStatus> {
    EnterpriseStatus::parse(text).or(match text {
        "正常" | "在册" | "正常联系" => Some(EnterpriseStatus::Active),
        "暂停" | "暂停联系" => Some(EnterpriseStatus::Suspended),
        "撤销" | "已撤销" | "撤销认定" => Some(EnterpriseStatus::Withdrawn),
        "拟认定" | "候选" => Some(EnterpriseStatus::Candidate),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_statuses_read_from_labels() {
        assert_eq!(size("中型"), Some(EnterpriseSize::Medium));
        assert_eq!(size("大型企业"), Some(EnterpriseSize::Large));
        assert_eq!(size("micro"), Some(EnterpriseSize::Micro));
        assert_eq!(size("巨型"), None);
        assert_eq!(status("暂停"), Some(EnterpriseStatus::Suspended));
        assert_eq!(status("active"), Some(EnterpriseStatus::Active));
        assert_eq!(status("关闭"), None);
    }

    #[test]
    fn names_and_aliases_become_codes() {
        let mut labels = Labels::default();
        labels.departments.insert("省工信委".into(), "gxw".into());
        labels.regions.insert("南昌市".into(), "360100".into());
        assert_eq!(labels.department("省工信委"), "gxw");
        assert_eq!(labels.department("gxw"), "gxw");
        assert_eq!(labels.region("南昌市"), "360100");
        assert_eq!(
            labels.region("火星"),
            "火星",
            "left for the checks to report"
        );
    }
}
