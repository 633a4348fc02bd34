//! XLSX as a byte stream. rust_xlsxwriter's constant-memory worksheet keeps rows in a temporary
//! file, not in memory; the workbook is built on a blocking thread from the pages as they arrive
//! and then written (zipped) straight into the response, chunk by chunk.

use std::io::{self, Write};

use actix_web::web::Bytes;
use futures_util::Stream;
use futures_util::stream;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use tokio::sync::mpsc;

use crate::domain::error::{AppError, AppResult};
use crate::domain::exports::{Batch, Cell, Column, aborted, china_local};

/// Bytes sent per chunk of the response.
const CHUNK_BYTES: usize = 64 * 1024;
/// Excel's row limit, the header included.
const MAX_ROWS: u32 = 1_048_576;
/// Excel's limit on the text of one cell.
const MAX_CELL_CHARS: usize = 32_767;

/// Sends what the workbook writer produces as response chunks.
pub(super) struct ChunkWriter {
    tx: mpsc::Sender<AppResult<Bytes>>,
    buffer: Vec<u8>,
}

impl ChunkWriter {
    pub(super) fn new(tx: mpsc::Sender<AppResult<Bytes>>) -> Self {
        ChunkWriter {
            tx,
            buffer: Vec::with_capacity(CHUNK_BYTES),
        }
    }

    pub(super) fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buffer));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Formats {
    header: Format,
    date: Format,
    time: Format,
    money: Format,
}

fn write_row(
    sheet: &mut Worksheet,
    row: u32,
    cells: &[Cell],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (col, cell) in cells.iter().enumerate() {
        let col = col as u16;
        match cell {
            Cell::Text(text) => {
                let text: String = text.chars().take(MAX_CELL_CHARS).collect();
                sheet.write_string(row, col, text)?;
            }
            Cell::Date(day) => {
                sheet.write_date_with_format(row, col, day, &formats.date)?;
            }
            // The one place money becomes a float: an XLSX cell, formatted with two decimals.
            Cell::Money(m) => {
                sheet.write_number_with_format(
                    row,
                    col,
                    m.0.to_f64().unwrap_or_default(),
                    &formats.money,
                )?;
            }
            Cell::Int(n) => {
                sheet.write_number(row, col, *n as f64)?;
            }
            Cell::Time(t) => {
                sheet.write_datetime_with_format(row, col, china_local(*t), &formats.time)?;
            }
            Cell::Empty => {}
        }
    }
    Ok(())
}

/// How the sheet prints: A4 landscape, as wide as one page, the header row on every page.
fn print_setup(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    const A4: u8 = 9;
    sheet.set_paper_size(A4);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    Ok(())
}

/// Builds the workbook from the pages and writes it into `out`. Runs on a blocking thread.
fn build(
    sheet_name: &str,
    columns: &[Column],
    first: Batch,
    mut pages: mpsc::Receiver<AppResult<Batch>>,
    out: &mut ChunkWriter,
) -> AppResult<()> {
    let formats = Formats {
        header: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        time: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        money: Format::new().set_num_format("#,##0.00"),
    };
    let mut workbook = Workbook::new();
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(aborted)?;
    sheet.set_name(sheet_name).map_err(aborted)?;
    for (i, column) in columns.iter().enumerate() {
        sheet
            .set_column_width(i as u16, column.width)
            .map_err(aborted)?;
        sheet
            .write_string_with_format(0, i as u16, column.header, &formats.header)
            .map_err(aborted)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(aborted)?;
    print_setup(sheet).map_err(aborted)?;
    let mut row: u32 = 1;
    let mut batch = Some(Ok(first));
    while let Some(page) = batch {
        for cells in page? {
            if row >= MAX_ROWS {
                return Err(aborted("more rows than an XLSX sheet holds; export CSV"));
            }
            write_row(sheet, row, &cells, &formats).map_err(aborted)?;
            row += 1;
        }
        batch = pages.blocking_recv();
    }
    // A filter on the header row, over every row written.
    let last_column = columns.len().saturating_sub(1) as u16;
    sheet
        .autofilter(0, 0, row.saturating_sub(1), last_column)
        .map_err(aborted)?;
    workbook.save_to_writer(&mut *out).map_err(aborted)?;
    out.send().map_err(aborted)
}

/// The XLSX file as a stream of chunks.
pub fn stream(
    sheet_name: &'static str,
    columns: &'static [Column],
    first: Batch,
    pages: mpsc::Receiver<AppResult<Batch>>,
) -> impl Stream<Item = Result<Bytes, AppError>> + 'static {
    let (tx, rx) = mpsc::channel::<AppResult<Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        let mut out = ChunkWriter::new(tx.clone());
        if let Err(e) = build(sheet_name, columns, first, pages, &mut out) {
            // The response stops there; the client sees an incomplete download.
            let _ = tx.blocking_send(Err(e));
        }
    });
    stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    })
}
