//! The support-measure export, newest first: amounts as money cells.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::labels::Code;
use super::lookup::enterprise_names;
use super::{Batch, Cell, Column, PAGE_ROWS, Pager, Source, coded, col};
use crate::db::keyset::Keyed;
use crate::domain::error::AppResult;
use crate::domain::support::store::{self, MeasureFilter};

const COLUMNS: [Column; 13] = [
    col("企业名称", 36.0),
    col("统一社会信用代码", 22.0),
    coded("扶持类型", 20.0, Code::SupportKind),
    col("项目名称", 36.0),
    col("年度", 8.0),
    col("金额（元）", 16.0),
    col("已拨付（元）", 16.0),
    col("文号", 24.0),
    coded("状态", 10.0, Code::MeasureStatus),
    col("批准日期", 12.0),
    coded("发放部门", 10.0, Code::Department),
    col("记录时间", 20.0),
    col("编号", 38.0),
];

/// Support measures matching the list's filters.
pub struct MeasureExport {
    filter: MeasureFilter,
    pager: Pager<(DateTime<Utc>, Uuid)>,
}

impl MeasureExport {
    pub fn new(filter: MeasureFilter) -> Self {
        MeasureExport {
            filter,
            pager: Pager::default(),
        }
    }
}

impl Source for MeasureExport {
    const NAME: &'static str = "support-measures";
    const SHEET: &'static str = "扶持措施";

    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    async fn next_batch(&mut self, conn: &mut AsyncPgConnection) -> AppResult<Option<Batch>> {
        let filter = &self.filter;
        let fetch = async |after| store::list(conn, filter.clone(), after, PAGE_ROWS).await;
        let Some(rows) = self.pager.next(fetch, Keyed::key).await? else {
            return Ok(None);
        };
        let enterprises = enterprise_names(conn, rows.iter().map(|m| m.enterprise_id)).await?;
        let batch = rows
            .iter()
            .map(|m| {
                let [name, code] = enterprises.cells(&m.enterprise_id);
                vec![
                    name,
                    code,
                    Cell::text(m.kind.as_str()),
                    Cell::text(&m.title),
                    Cell::Int(i64::from(m.fiscal_year)),
                    Cell::opt_money(m.amount),
                    Cell::Money(m.disbursed_amount),
                    Cell::opt_text(m.document_no.as_deref()),
                    Cell::text(m.status.as_str()),
                    Cell::opt_date(m.approved_on),
                    Cell::text(&m.department),
                    Cell::Time(m.created_at),
                    Cell::text(m.id.to_string()),
                ]
            })
            .collect();
        Ok(Some(batch))
    }
}
