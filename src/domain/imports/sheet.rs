//! An uploaded table, CSV (UTF-8, BOM optional) or XLSX (first sheet), as rows of text,
//! within the limits of [`super::limits`]: XLSX cells are streamed one by one (the dimension a
//! sheet declares is never trusted), and a table over a limit is refused while it is read.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::limits::{
    MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, MAX_TEXT_BYTES, check_archive, whole_file,
};
use crate::domain::error::RowError;

/// A table: the header row and the data rows, each cell as text exactly as in the file (an
/// unchanged export must read back unchanged, spaces included).
#[derive(Debug, Default)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<SheetRow>,
}

/// A data row with its number as a spreadsheet shows it (the header is row 1).
#[derive(Debug)]
pub struct SheetRow {
    pub number: u64,
    pub cells: Vec<String>,
}

/// Collects cells by position, refusing a table over the limits.
#[derive(Default)]
struct Collector {
    rows: BTreeMap<u64, Vec<String>>,
    text_bytes: usize,
}

impl Collector {
    /// Puts the cell at (1-based `row`, 0-based `column`).
    fn put(&mut self, row: u64, column: usize, text: String) -> Result<(), RowError> {
        if row > MAX_ROWS + 1 {
            return Err(whole_file(
                "too_many_rows",
                &format!("a file holds at most {MAX_ROWS} rows; split it"),
            ));
        }
        if column >= MAX_COLUMNS {
            return Err(whole_file(
                "too_many_columns",
                &format!("a row uses at most {MAX_COLUMNS} columns"),
            ));
        }
        if text.contains('\0') {
            return Err(RowError {
                row,
                column: String::new(),
                code: "nul_character".into(),
                message: "a cell may not contain NUL characters".into(),
            });
        }
        if text.chars().count() > MAX_CELL_CHARS {
            return Err(RowError {
                row,
                column: String::new(),
                code: "cell_too_long".into(),
                message: format!("a cell holds at most {MAX_CELL_CHARS} characters"),
            });
        }
        self.text_bytes += text.len();
        if self.text_bytes > MAX_TEXT_BYTES {
            return Err(whole_file(
                "too_much_text",
                "the file holds too much text; split it",
            ));
        }
        let cells = self.rows.entry(row).or_default();
        if cells.len() <= column {
            cells.resize(column + 1, String::new());
        }
        cells[column] = text;
        Ok(())
    }

    fn into_sheet(self) -> Result<Sheet, RowError> {
        into_sheet(self.rows.into_iter())
    }
}

/// Splits rows into header and data, dropping rows that are entirely empty.
fn into_sheet(rows: impl Iterator<Item = (u64, Vec<String>)>) -> Result<Sheet, RowError> {
    let mut rows = rows.filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, headers)) = rows.next() else {
        return Err(whole_file("empty_file", "the file has no header row"));
    };
    Ok(Sheet {
        headers,
        rows: rows
            .map(|(number, cells)| SheetRow { number, cells })
            .collect(),
    })
}

/// Reads CSV text. Anything but UTF-8 is refused with advice.
pub fn read_csv(bytes: &[u8]) -> Result<Sheet, RowError> {
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut table = Collector::default();
    for (i, record) in reader.records().enumerate() {
        let number = i as u64 + 1;
        let record = record.map_err(|e| {
            let (code, message) = match e.kind() {
                csv::ErrorKind::Utf8 { .. } => (
                    "not_utf8",
                    "the file is not UTF-8: save it as \"CSV UTF-8\" or upload the XLSX workbook",
                ),
                _ => ("malformed_csv", "this row is not valid CSV"),
            };
            RowError {
                row: number,
                column: String::new(),
                code: code.into(),
                message: message.into(),
            }
        })?;
        for (column, field) in record.iter().enumerate() {
            table.put(number, column, field.to_owned())?;
        }
    }
    table.into_sheet()
}

/// A cell as text: whole numbers without `.0`, dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::Error(e) => format!("#{e:?}"),
        Data::Empty => String::new(),
    }
}

/// Reads the first sheet of an XLSX workbook, cell by cell.
pub fn read_xlsx(bytes: Vec<u8>) -> Result<Sheet, RowError> {
    check_archive(&bytes)?;
    let unreadable = || whole_file("not_xlsx", "the file is not a readable XLSX workbook");
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(unreadable)?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable())?;
    let mut table = Collector::default();
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        let (row, column) = cell.get_position();
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if !text.is_empty() {
            table.put(u64::from(row) + 1, column as usize, text)?;
        }
    }
    table.into_sheet()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_blank_rows_and_quotes() {
        let text = "\u{feff}名称,代码\r\n\"甲,乙\",1\r\n,\r\n丙 , 2\r\n";
        let sheet = read_csv(text.as_bytes()).unwrap();
        assert_eq!(sheet.headers, ["名称", "代码"]);
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(sheet.rows[0].cells, ["甲,乙", "1"]);
        assert_eq!(sheet.rows[1].number, 4);
        assert_eq!(sheet.rows[1].cells, ["丙 ", " 2"]);
    }

    #[test]
    fn gbk_text_is_refused_with_advice() {
        // "名称" in GBK.
        let err = read_csv(&[0xC3, 0xFB, 0xB3, 0xC6, b'\n']).unwrap_err();
        assert_eq!(err.code, "not_utf8");
        assert_eq!(read_csv(b"").unwrap_err().code, "empty_file");
    }

    #[test]
    fn numbers_and_dates_read_as_text() {
        assert_eq!(cell_text(&Data::Float(120.0)), "120");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
        assert_eq!(cell_text(&Data::Empty), "");
        assert!(read_xlsx(b"not a zip".to_vec()).is_err());
    }
}
