//! What an upload may be, checked before and while it is read, so that no file can take the
//! server's memory or time: the XLSX archive (entries, sizes as actually inflated, ratio, the
//! shared-strings count it declares), and the table (rows, columns, cell length, total text).
//! A file over a limit is refused as a whole (422) within seconds; only one import runs at a
//! time per server.

use std::io::{Cursor, Read};
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::domain::error::{AppError, RowError};

/// Data rows a file may hold.
pub const MAX_ROWS: u64 = 100_000;
/// Columns a row may use.
pub const MAX_COLUMNS: usize = 64;
/// Characters a cell may hold.
pub const MAX_CELL_CHARS: usize = 4_000;
/// Bytes of text all cells together may hold.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// Problems an answer lists (the last item says how many there were in all).
pub const MAX_REPORTED: usize = 1_000;

/// Parts an XLSX archive may have.
const MAX_ENTRIES: usize = 1_000;
/// Bytes one part may inflate to, and all parts together.
const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;
const MAX_TOTAL_BYTES: u64 = 128 * 1024 * 1024;
/// How much larger than the upload the archive may inflate (real workbooks: 5 to 20 times).
const MAX_RATIO: u64 = 100;
/// The fewest bytes one shared string takes in `xl/sharedStrings.xml` (`<si><t/></si>`).
const MIN_SHARED_STRING_BYTES: u64 = 12;
const SHARED_STRINGS: &str = "xl/sharedStrings.xml";

/// A problem with the file as a whole.
pub fn whole_file(code: &str, message: &str) -> RowError {
    RowError {
        row: 1,
        column: String::new(),
        code: code.into(),
        message: message.into(),
    }
}

/// The problems of an import, in bounded memory: the first [`MAX_REPORTED`] by row, and how
/// many there are in all (a file of 100,000 bad rows would otherwise hold a million of them).
#[derive(Debug, Default)]
pub struct Problems {
    kept: Vec<RowError>,
    total: usize,
}

impl Problems {
    pub fn extend(&mut self, errors: impl IntoIterator<Item = RowError>) {
        for error in errors {
            self.total += 1;
            self.kept.push(error);
            if self.kept.len() >= 2 * MAX_REPORTED {
                self.keep_first();
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Keeps the first problems by row (a row's own in the order found).
    fn keep_first(&mut self) {
        self.kept.sort_by_key(|e| e.row);
        self.kept.truncate(MAX_REPORTED);
    }

    /// The 422: the first [`MAX_REPORTED`] problems, then one item with the total.
    pub fn into_error(mut self) -> AppError {
        self.keep_first();
        if self.total > MAX_REPORTED {
            self.kept.push(RowError {
                row: 0,
                column: String::new(),
                code: "more_problems".into(),
                message: format!(
                    "{MAX_REPORTED} of {} problems are listed; fix them and import again",
                    self.total
                ),
            });
        }
        AppError::ImportRejected(self.kept)
    }
}

/// The 422 of an import with `errors` (see [`Problems::into_error`]).
pub fn rejected(errors: Vec<RowError>) -> AppError {
    let mut problems = Problems::default();
    problems.extend(errors);
    problems.into_error()
}

/// Inflates every part of an XLSX archive through a counter (declared sizes can lie) and
/// checks the counts; refuses a shared-strings part that declares more strings than it holds.
pub fn check_archive(bytes: &[u8]) -> Result<(), RowError> {
    let unreadable = || whole_file("not_xlsx", "the file is not a readable XLSX workbook");
    let too_large = |what: &str| {
        whole_file(
            "archive_too_large",
            &format!("the workbook {what}; save a smaller one (at most {MAX_ROWS} rows)"),
        )
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if archive.len() > MAX_ENTRIES {
        return Err(too_large("has too many parts"));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| unreadable())?;
        let name = entry.name().to_owned();
        let size = inflated_size(&mut entry, MAX_ENTRY_BYTES).map_err(|_| unreadable())?;
        if size > MAX_ENTRY_BYTES {
            return Err(too_large("has a part that inflates too far"));
        }
        total += size;
        if name == SHARED_STRINGS {
            drop(entry);
            check_shared_strings(&mut archive, size)?;
        }
    }
    let ratio_limit = (bytes.len() as u64).saturating_mul(MAX_RATIO);
    if total > MAX_TOTAL_BYTES || total > ratio_limit {
        return Err(too_large("inflates too far"));
    }
    Ok(())
}

/// How many bytes `reader` yields, reading at most `limit + 1`.
fn inflated_size(reader: &mut impl Read, limit: u64) -> std::io::Result<u64> {
    std::io::copy(&mut reader.take(limit + 1), &mut std::io::sink())
}

/// The count of strings `xl/sharedStrings.xml` declares (the reader reserves room for it)
/// must fit in the part's real size.
fn check_shared_strings(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    size: u64,
) -> Result<(), RowError> {
    let mut head = Vec::with_capacity(4096);
    if let Ok(part) = archive.by_name(SHARED_STRINGS) {
        let _ = part.take(4096).read_to_end(&mut head);
    }
    let head = String::from_utf8_lossy(&head);
    let declared = ["uniqueCount=\"", "count=\""].iter().find_map(|attr| {
        let start = head.find(attr)? + attr.len();
        let digits: String = head[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some(digits.parse::<u64>().unwrap_or(u64::MAX))
    });
    match declared {
        Some(n) if n > size / MIN_SHARED_STRING_BYTES + 1 => Err(whole_file(
            "not_xlsx",
            "the workbook declares more shared strings than it holds",
        )),
        _ => Ok(()),
    }
}

/// The one import allowed to run at a time, waited for at most 5 s.
static IMPORTS: Semaphore = Semaphore::const_new(1);

/// Takes the server's import slot (503 when another import holds it for too long).
pub async fn import_slot() -> Result<SemaphorePermit<'static>, AppError> {
    tokio::time::timeout(Duration::from_secs(5), IMPORTS.acquire())
        .await
        .map_err(|_| AppError::Busy("another import is running"))?
        .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_thousand_problems_are_listed_with_the_total() {
        let errors = vec![whole_file("x", "y"); 2_500];
        match rejected(errors) {
            AppError::ImportRejected(listed) => {
                assert_eq!(listed.len(), MAX_REPORTED + 1);
                assert_eq!(listed[MAX_REPORTED].code, "more_problems");
                assert!(listed[MAX_REPORTED].message.contains("2500"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
