//! A minimal HTTP/1.1 keep-alive client: the load generator shares two cores with the server and
//! PostgreSQL, so it does as little as possible per request.

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One keep-alive connection.
pub struct Connection {
    stream: BufReader<TcpStream>,
    line: String,
    sink: Vec<u8>,
}

/// A request, ready to write.
pub fn request(method: &str, path: &str, token: &str, body: Option<&str>) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: bench\r\n");
    if !token.is_empty() {
        out.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    match body {
        Some(body) => {
            out.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            ));
        }
        None => out.push_str("\r\n"),
    }
    out.into_bytes()
}

impl Connection {
    pub async fn open(addr: &str) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream: BufReader::with_capacity(64 * 1024, stream),
            line: String::new(),
            sink: Vec::with_capacity(64 * 1024),
        })
    }

    /// Sends a request and reads the whole response; returns the status and body size.
    pub async fn send(&mut self, request: &[u8]) -> std::io::Result<(u16, usize)> {
        self.stream.get_mut().write_all(request).await?;
        self.line.clear();
        self.stream.read_line(&mut self.line).await?;
        let status: u16 = self
            .line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {:?}", self.line)))?;
        let mut length = None;
        let mut chunked = false;
        loop {
            self.line.clear();
            if self.stream.read_line(&mut self.line).await? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            let header = self.line.trim_end();
            if header.is_empty() {
                break;
            }
            let lower = header.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse::<usize>().ok();
            } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        let mut size = 0;
        if chunked {
            loop {
                self.line.clear();
                self.stream.read_line(&mut self.line).await?;
                let n = usize::from_str_radix(self.line.trim(), 16)
                    .map_err(|_| std::io::Error::other("bad chunk size"))?;
                self.skip(n + 2).await?;
                if n == 0 {
                    break;
                }
                size += n;
            }
        } else if let Some(n) = length {
            self.skip(n).await?;
            size = n;
        }
        Ok((status, size))
    }

    async fn skip(&mut self, mut n: usize) -> std::io::Result<()> {
        while n > 0 {
            let take = n.min(64 * 1024);
            self.sink.resize(take, 0);
            self.stream.read_exact(&mut self.sink[..take]).await?;
            n -= take;
        }
        Ok(())
    }
}
