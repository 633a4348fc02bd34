//! Exports (数据导出): the lists as CSV (UTF-8 with BOM, Chinese headers) or XLSX (typed cells),
//! with the lists' filters and masking. Streamed: rows are read page by page (keyset) into a
//! small channel, so memory stays flat however many rows there are.

pub mod demands;
pub mod enterprises;
pub mod labels;
mod lookup;
pub mod support;
pub mod visits;

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::ToSchema;

use crate::db::DbPool;
use crate::db::money::Money;
use crate::domain::error::{AppError, AppResult};
use labels::{Code, Dictionary};

/// Rows read from the database per page.
pub const PAGE_ROWS: i64 = 500;
/// Pages buffered between the database and the writer: bounds the memory of an export.
const BUFFERED_PAGES: usize = 2;

/// Where a walk through a keyset list stands: the key to read after, and whether the last
/// page has been read.
#[derive(Debug)]
pub struct Pager<K> {
    after: Option<K>,
    done: bool,
}

impl<K> Default for Pager<K> {
    fn default() -> Self {
        Pager {
            after: None,
            done: false,
        }
    }
}

impl<K> Pager<K> {
    /// The next page: `fetch` reads `PAGE_ROWS + 1` rows of the list after the key it is given
    /// (`None`: from the start), and `key` is a row's place in the list's order. `None` once the
    /// last page has been read.
    pub async fn next<T, E: Into<AppError>>(
        &mut self,
        fetch: impl AsyncFnOnce(Option<K>) -> Result<Vec<T>, E>,
        key: impl Fn(&T) -> K,
    ) -> AppResult<Option<Vec<T>>> {
        if self.done {
            return Ok(None);
        }
        let rows = fetch(self.after.take()).await.map_err(Into::into)?;
        Ok(Some(self.page(rows, key)))
    }

    /// Keeps the first [`PAGE_ROWS`] of `rows` (read as `PAGE_ROWS + 1`: the extra one only
    /// says that more follow) and notes where the next page starts. `key` is the row's place in
    /// the list's order: `Keyed::key`, unless the export sorts otherwise than the list.
    fn page<T>(&mut self, mut rows: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
        self.done = rows.len() as i64 <= PAGE_ROWS;
        rows.truncate(PAGE_ROWS as usize);
        self.after = rows.last().map(key);
        rows
    }
}

/// The file format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Csv,
    Xlsx,
}

/// One cell, typed so that XLSX can store dates as dates and money as numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
    Money(Money),
    Int(i64),
    /// Shown in China time.
    Time(DateTime<Utc>),
    Empty,
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    pub fn opt_text(value: Option<impl Into<String>>) -> Cell {
        value.map_or(Cell::Empty, Cell::text)
    }

    pub fn opt_date(value: Option<NaiveDate>) -> Cell {
        value.map_or(Cell::Empty, Cell::Date)
    }

    pub fn opt_money(value: Option<Money>) -> Cell {
        value.map_or(Cell::Empty, Cell::Money)
    }

    /// A list as one cell, items separated by `;`.
    pub fn list<T: ToString>(items: &[T]) -> Cell {
        Cell::Text(
            items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(";"),
        )
    }
}

/// A column: its header, its width in XLSX (characters), and the kind of code it holds (for
/// `labels=zh`).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub width: f64,
    pub code: Code,
}

/// Shorthand for a column table.
pub const fn col(header: &'static str, width: f64) -> Column {
    coded(header, width, Code::None)
}

/// A column of codes, which `labels=zh` writes as their labels.
pub const fn coded(header: &'static str, width: f64, code: Code) -> Column {
    Column {
        header,
        width,
        code,
    }
}

/// Rows of one page.
pub type Batch = Vec<Vec<Cell>>;

/// What an export reads: its columns, and its rows page by page.
pub trait Source: Send + 'static {
    /// The file name without extension, e.g. `enterprises`.
    const NAME: &'static str;
    /// The sheet's title.
    const SHEET: &'static str;
    fn columns(&self) -> &'static [Column];
    /// The next page of rows; `None` once every row was read.
    fn next_batch(
        &mut self,
        conn: &mut AsyncPgConnection,
    ) -> impl Future<Output = AppResult<Option<Batch>>> + Send;
}

/// Reads `source` page by page on a task of its own, each page with a pooled connection held
/// only while it is read. The channel holds at most [`BUFFERED_PAGES`] pages: a slow client
/// slows the reading down instead of filling memory.
/// With `labels`, coded columns carry their labels.
pub fn read_pages<S: Source>(
    pool: DbPool,
    mut source: S,
    labels: Option<Dictionary>,
) -> mpsc::Receiver<AppResult<Batch>> {
    let (tx, rx) = mpsc::channel(BUFFERED_PAGES);
    let columns = source.columns();
    tokio::spawn(async move {
        loop {
            let page = async {
                let mut conn = pool.get().await?;
                source.next_batch(&mut conn).await
            }
            .await;
            let stop = !matches!(page, Ok(Some(_)));
            let page = match page {
                Ok(Some(mut rows)) => {
                    if let Some(labels) = &labels {
                        labels.relabel(columns, &mut rows);
                    }
                    Ok(rows)
                }
                Ok(None) => break,
                Err(e) => Err(e),
            };
            if tx.send(page).await.is_err() || stop {
                break;
            }
        }
    });
    rx
}

/// A timestamp as a wall-clock time in China (UTC+08:00, no daylight saving).
pub fn china_local(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    (t + chrono::Duration::hours(8)).naive_utc()
}

/// The media type of an XLSX workbook.
pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Why a streamed export stopped early (logged; the client sees a truncated download).
pub fn aborted(cause: impl std::fmt::Display) -> AppError {
    let error = AppError::internal(format!("export aborted: {cause}"));
    log::error!("{error:?}");
    error
}

#[cfg(test)]
mod tests {
    use super::{PAGE_ROWS, Pager};
    use crate::domain::error::AppError;

    /// A walk through 1,234 rows reads each once, in order, in pages of `PAGE_ROWS`.
    #[tokio::test]
    async fn a_walk_reads_every_row_once_page_by_page() {
        let list: Vec<i64> = (1..=1234).collect();
        let mut pager = Pager::default();
        let (mut seen, mut pages) = (Vec::new(), 0);
        loop {
            let fetch = async |after: Option<i64>| {
                let rows = list
                    .iter()
                    .copied()
                    .filter(|r| after.is_none_or(|a| *r > a));
                Ok::<_, AppError>(rows.take(PAGE_ROWS as usize + 1).collect())
            };
            let Some(rows) = pager.next(fetch, |r| *r).await.unwrap_or_default() else {
                break;
            };
            pages += 1;
            seen.extend(rows);
        }
        assert_eq!(seen, list);
        assert_eq!(pages, 3);
    }
}
