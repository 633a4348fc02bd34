//! `labels=zh`: exports for people, with Chinese labels where the API writes codes (南昌市 for
//! 360100, 处置救援 for rescue_disposal, 江西省工业和信息化厅 for gxw, 办理中 for accepted). The
//! names of the reference tables are read once per export; a code without a label stays a code.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{Batch, Cell, Column};
use crate::db::schema::{categories, departments, regions, subcategories};

/// What kind of code a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    None,
    Region,
    Category,
    Subcategory,
    /// One department or a `;` list of them.
    Department,
    Size,
    EnterpriseStatus,
    VisitKind,
    DemandCategory,
    DemandStatus,
    Satisfaction,
    SupportKind,
    MeasureStatus,
}

/// The labels of an export.
#[derive(Debug, Default)]
pub struct Dictionary {
    names: HashMap<(u8, String), String>,
}

impl Dictionary {
    /// Reads the names of regions, categories, subcategories and departments.
    pub async fn load(conn: &mut AsyncPgConnection) -> QueryResult<Dictionary> {
        let mut names = HashMap::new();
        let tables: [(Code, Vec<(String, String)>); 4] = [
            (
                Code::Region,
                regions::table
                    .select((regions::code, regions::name))
                    .load(conn)
                    .await?,
            ),
            (
                Code::Category,
                categories::table
                    .select((categories::code, categories::name))
                    .load(conn)
                    .await?,
            ),
            (
                Code::Subcategory,
                subcategories::table
                    .select((subcategories::code, subcategories::name))
                    .load(conn)
                    .await?,
            ),
            (
                Code::Department,
                departments::table
                    .select((departments::code, departments::name))
                    .load(conn)
                    .await?,
            ),
        ];
        for (code, pairs) in tables {
            for (key, name) in pairs {
                names.insert((code as u8, key), name);
            }
        }
        Ok(Dictionary { names })
    }

    /// The label of `value` in a column of `code`.
    fn label(&self, code: Code, value: &str) -> String {
        if let Some(name) = self.names.get(&(code as u8, value.to_owned())) {
            return name.clone();
        }
        fixed_label(code, value).map_or_else(|| value.to_owned(), str::to_owned)
    }

    /// Puts labels in the coded columns of `batch`.
    pub fn relabel(&self, columns: &[Column], batch: &mut Batch) {
        for row in batch {
            for (cell, column) in row.iter_mut().zip(columns) {
                if let (Cell::Text(text), code) = (&*cell, column.code)
                    && code != Code::None
                    && !text.is_empty()
                {
                    let labels: Vec<String> =
                        text.split(';').map(|v| self.label(code, v)).collect();
                    *cell = Cell::Text(labels.join(";"));
                }
            }
        }
    }
}

/// The labels of the API's own enums.
fn fixed_label(code: Code, value: &str) -> Option<&'static str> {
    Some(match (code, value) {
        (Code::Size, "large") => "大型",
        (Code::Size, "medium") => "中型",
        (Code::Size, "small") => "小型",
        (Code::Size, "micro") => "微型",
        (Code::EnterpriseStatus, "active") => "正常",
        (Code::EnterpriseStatus, "suspended") => "暂停",
        (Code::EnterpriseStatus, "withdrawn") => "撤销",
        (Code::EnterpriseStatus, "candidate") => "拟认定",
        (Code::VisitKind, "on_site") => "实地走访",
        (Code::VisitKind, "phone") => "电话走访",
        (Code::VisitKind, "video") => "视频走访",
        (Code::VisitKind, "meeting") => "座谈会",
        (Code::DemandCategory, v) => demand_category(v)?,
        (Code::DemandStatus, "open") => "待签收",
        (Code::DemandStatus, "accepted") => "办理中",
        (Code::DemandStatus, "resolved") => "已办结",
        (Code::DemandStatus, "closed") => "已回访关闭",
        (Code::DemandStatus, "rejected") => "不予办理",
        (Code::DemandStatus, "returned") => "已退回",
        (Code::Satisfaction, "satisfied") => "满意",
        (Code::Satisfaction, "basically_satisfied") => "基本满意",
        (Code::Satisfaction, "unsatisfied") => "不满意",
        (Code::SupportKind, v) => support_kind(v)?,
        (Code::MeasureStatus, "planned") => "拟安排",
        (Code::MeasureStatus, "approved") => "已批准",
        (Code::MeasureStatus, "disbursed") => "已拨付",
        (Code::MeasureStatus, "cancelled") => "已取消",
        _ => return None,
    })
}

fn demand_category(value: &str) -> Option<&'static str> {
    crate::domain::demands::model::DemandCategory::parse(value).map(|c| c.label())
}

fn support_kind(value: &str) -> Option<&'static str> {
    Some(match value {
        "subsidy" => "财政补助",
        "grant" => "奖励资金",
        "loan_interest_subsidy" => "贷款贴息",
        "guarantee_fee_subsidy" => "担保费补贴",
        "insurance_premium_subsidy" => "保险保费补贴",
        "tax_relief" => "税收减免",
        "tech_project" => "科技项目",
        "land" => "用地保障",
        "talent" => "人才支持",
        "market_promotion" => "市场推广",
        "other" => "其他",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_labels_and_unknown_ones_stay() {
        let mut d = Dictionary::default();
        d.names.insert(
            (Code::Department as u8, "gxw".into()),
            "江西省工业和信息化厅".into(),
        );
        let columns = [
            super::super::coded("联系部门", 10.0, Code::Department),
            super::super::coded("状态", 10.0, Code::DemandStatus),
            super::super::col("标题", 10.0),
        ];
        let mut batch = vec![vec![
            Cell::text("gxw;zzz"),
            Cell::text("accepted"),
            Cell::text("accepted"),
        ]];
        d.relabel(&columns, &mut batch);
        assert_eq!(
            batch[0],
            [
                Cell::text("江西省工业和信息化厅;zzz"),
                Cell::text("办理中"),
                Cell::text("accepted")
            ]
        );
    }
}
