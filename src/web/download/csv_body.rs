//! CSV as a byte stream: a BOM (so Excel reads UTF-8), the header row, then one chunk per page.

use actix_web::web::Bytes;
use futures_util::Stream;
use futures_util::stream;
use tokio::sync::mpsc;

use crate::domain::error::{AppError, AppResult};
use crate::domain::exports::{Batch, Cell, Column, aborted, china_local};

const BOM: &[u8] = "\u{feff}".as_bytes();

/// Characters that make a spreadsheet read a cell as a formula: such text gets a leading `'`
/// (CSV injection); the import removes it again.
pub fn neutralize_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// A cell as CSV text: dates `YYYY-MM-DD`, money with two decimals, times in China time.
fn text_of(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => neutralize_formula(t),
        Cell::Date(d) => d.to_string(),
        Cell::Money(m) => m.to_string(),
        Cell::Int(n) => n.to_string(),
        Cell::Time(t) => china_time(*t),
        Cell::Empty => String::new(),
    }
}

/// `2026-11-29 16:00:00`, China Standard Time.
fn china_time(t: chrono::DateTime<chrono::Utc>) -> String {
    china_local(t).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn encode(rows: impl Iterator<Item = Vec<String>>, prefix: &[u8]) -> AppResult<Bytes> {
    // RFC 4180: records end with CRLF (csv's default is LF).
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(prefix.to_vec());
    for row in rows {
        writer.write_record(&row).map_err(aborted)?;
    }
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|e| aborted(e.error()))
}

fn encode_batch(batch: &Batch) -> AppResult<Bytes> {
    encode(
        batch.iter().map(|row| row.iter().map(text_of).collect()),
        b"",
    )
}

/// The CSV file: header and first page at once, then the rest as the pages arrive.
pub fn stream(
    columns: &'static [Column],
    first: Batch,
    pages: mpsc::Receiver<AppResult<Batch>>,
) -> impl Stream<Item = Result<Bytes, AppError>> + 'static {
    let header = encode(
        std::iter::once(columns.iter().map(|c| c.header.to_owned()).collect()),
        BOM,
    );
    let head = stream::iter([header, encode_batch(&first)]);
    let rest = stream::unfold(pages, |mut pages| async move {
        let page = pages.recv().await?;
        Some((page.and_then(|b| encode_batch(&b)), pages))
    });
    futures_util::StreamExt::chain(head, rest)
}
