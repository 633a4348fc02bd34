//! Rows into PostgreSQL with `COPY … FROM STDIN` (text format), sent in chunks of about 1 MiB.

use actix_web::web::{Bytes, BytesMut};
use futures_util::{SinkExt, pin_mut};
use tokio_postgres::Client;

/// Collects rows in COPY's text format and streams them to one `COPY` statement.
pub struct CopyWriter {
    buffer: BytesMut,
    rows: usize,
}

/// One value of a row.
pub enum Value<'a> {
    Text(&'a str),
    Null,
}

impl CopyWriter {
    pub fn new() -> Self {
        CopyWriter {
            buffer: BytesMut::with_capacity(1 << 20),
            rows: 0,
        }
    }

    /// Appends one row; text is escaped as COPY requires.
    pub fn row(&mut self, values: &[Value<'_>]) {
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.buffer.extend_from_slice(b"\t");
            }
            match value {
                Value::Null => self.buffer.extend_from_slice(b"\\N"),
                Value::Text(text) => {
                    for ch in text.chars() {
                        match ch {
                            '\\' => self.buffer.extend_from_slice(b"\\\\"),
                            '\t' => self.buffer.extend_from_slice(b"\\t"),
                            '\n' => self.buffer.extend_from_slice(b"\\n"),
                            '\r' => self.buffer.extend_from_slice(b"\\r"),
                            c => {
                                let mut utf8 = [0u8; 4];
                                self.buffer
                                    .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                            }
                        }
                    }
                }
            }
        }
        self.buffer.extend_from_slice(b"\n");
        self.rows += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }

    /// Takes what was collected.
    pub fn take(&mut self) -> Bytes {
        self.buffer.split().freeze()
    }
}

/// A PostgreSQL array literal of plain words (no quoting needed for our generated values).
pub fn array<T: ToString>(items: &[T]) -> String {
    let inner: Vec<String> = items.iter().map(ToString::to_string).collect();
    format!("{{{}}}", inner.join(","))
}

/// Runs `COPY table (columns) FROM STDIN` and feeds it the rows that `fill` writes, chunk by
/// chunk: `fill` is called with a fresh writer until it returns false.
pub async fn copy_rows(
    client: &Client,
    table: &str,
    columns: &str,
    mut fill: impl FnMut(&mut CopyWriter) -> bool,
) -> anyhow::Result<u64> {
    let sink = client
        .copy_in(&format!("COPY {table} ({columns}) FROM STDIN"))
        .await?;
    pin_mut!(sink);
    let mut writer = CopyWriter::new();
    loop {
        let more = fill(&mut writer);
        if !writer.is_empty() {
            sink.send(writer.take()).await?;
        }
        if !more {
            break;
        }
    }
    Ok(sink.finish().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_copy_needs() {
        let mut w = CopyWriter::new();
        w.row(&[Value::Text("甲\t乙\n丙\\"), Value::Null]);
        assert_eq!(&w.take()[..], "甲\\t乙\\n丙\\\\\t\\N\n".as_bytes());
        assert_eq!(array(&["gxw", "kjt"]), "{gxw,kjt}");
    }
}
