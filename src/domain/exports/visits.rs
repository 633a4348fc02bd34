//! The visit export, newest first, with enterprise and officer names.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::labels::Code;
use super::lookup::{enterprise_names, user_names};
use super::{Batch, Cell, Column, PAGE_ROWS, Pager, Source, coded, col};
use crate::db::keyset::Keyed;
use crate::domain::error::AppResult;
use crate::domain::visits::store::{self, VisitFilter};

const COLUMNS: [Column; 13] = [
    col("走访日期", 12.0),
    col("企业名称", 36.0),
    col("统一社会信用代码", 22.0),
    coded("走访方式", 10.0, Code::VisitKind),
    coded("走访部门", 10.0, Code::Department),
    col("走访人员", 20.0),
    col("企业参与人员", 20.0),
    col("走访目的", 30.0),
    col("走访情况", 40.0),
    col("发现问题", 40.0),
    col("下次走访日期", 12.0),
    col("记录时间", 20.0),
    col("编号", 38.0),
];

/// Visits matching the list's filters.
pub struct VisitExport {
    filter: VisitFilter,
    pager: Pager<(NaiveDate, Uuid)>,
}

impl VisitExport {
    pub fn new(filter: VisitFilter) -> Self {
        VisitExport {
            filter,
            pager: Pager::default(),
        }
    }
}

impl Source for VisitExport {
    const NAME: &'static str = "visits";
    const SHEET: &'static str = "走访记录";

    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    async fn next_batch(&mut self, conn: &mut AsyncPgConnection) -> AppResult<Option<Batch>> {
        let filter = &self.filter;
        let fetch = async |after| store::list(conn, filter.clone(), after, PAGE_ROWS).await;
        let Some(rows) = self.pager.next(fetch, Keyed::key).await? else {
            return Ok(None);
        };
        let enterprises = enterprise_names(conn, rows.iter().map(|v| v.enterprise_id)).await?;
        let officers = user_names(conn, rows.iter().flat_map(|v| v.officers.clone())).await?;
        let batch = rows
            .iter()
            .map(|v| {
                let [name, code] = enterprises.cells(&v.enterprise_id);
                let names: Vec<&str> = v
                    .officers
                    .iter()
                    .filter_map(|id| officers.get(id).map(String::as_str))
                    .collect();
                vec![
                    Cell::Date(v.visited_on),
                    name,
                    code,
                    Cell::text(v.kind.as_str()),
                    Cell::text(&v.department),
                    Cell::list(&names),
                    Cell::opt_text(v.participants.as_deref()),
                    Cell::opt_text(v.purpose.as_deref()),
                    Cell::text(&v.summary),
                    Cell::opt_text(v.findings.as_deref()),
                    Cell::opt_date(v.next_visit_on),
                    Cell::Time(v.created_at),
                    Cell::text(v.id.to_string()),
                ]
            })
            .collect();
        Ok(Some(batch))
    }
}
