//! The scenarios: HTTP load with a fixed number of keep-alive connections, the same SQL straight
//! against PostgreSQL, and the streamed export.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use liaison::db::local;
use tokio_postgres::types::ToSql;

use crate::events_cost::events_cost;
use crate::http::{Connection, request};
use crate::setup::Server;

/// Only the scenarios whose names contain this text run (`--only`).
pub static ONLY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

/// How long each scenario runs unmeasured before it is measured (`--warmup`, seconds).
pub static WARMUP: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();

fn warmup() -> Duration {
    WARMUP.get().copied().unwrap_or_default()
}

pub(crate) fn skipped(name: &str) -> bool {
    ONLY.get()
        .and_then(Option::as_deref)
        .is_some_and(|only| !name.contains(only))
}

/// What one scenario measured.
pub struct Outcome {
    pub name: &'static str,
    pub requests: u64,
    pub errors: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub peak_rss_mib: f64,
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

fn outcome(
    name: &'static str,
    mut latencies: Vec<u32>,
    errors: u64,
    elapsed: Duration,
    rss: f64,
) -> Outcome {
    latencies.sort_unstable();
    Outcome {
        name,
        requests: latencies.len() as u64,
        errors,
        rps: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().map_or(0.0, |m| f64::from(*m) / 1000.0),
        peak_rss_mib: rss,
    }
}

/// Current resident memory of a process, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Samples the server's RSS every 50 ms while `work` runs; returns its output and the peak.
async fn with_rss<T>(pid: u32, work: impl Future<Output = T>) -> (T, f64) {
    let done = Rc::new(Cell::new(false));
    let peak = Rc::new(Cell::new(rss_mib(pid)));
    let sampler = {
        let (done, peak) = (done.clone(), peak.clone());
        async move {
            while !done.get() {
                peak.set(peak.get().max(rss_mib(pid)));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let work = async {
        let out = work.await;
        done.set(true);
        out
    };
    let (out, ()) = futures_util::join!(work, sampler);
    (out, peak.get())
}

/// Drives `addr` with `connections` keep-alive connections: first unmeasured for the warm-up
/// (`--warmup`), so that caches hold the scenario's pages, then measured for `duration`. `make(n)`
/// builds the n-th request; n keeps counting through both.
pub(crate) async fn http_load(
    name: &'static str,
    server: &Server,
    connections: usize,
    duration: Duration,
    make: &dyn Fn(u64) -> Vec<u8>,
) -> Outcome {
    if skipped(name) {
        return outcome(name, Vec::new(), 0, duration, 0.0);
    }
    let counter = Cell::new(0u64);
    let drive = async |duration: Duration| {
        let started = Instant::now();
        let deadline = started + duration;
        let one = |_| async {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut conn = Connection::open(&server.addr).await.ok();
            while Instant::now() < deadline {
                let Some(c) = conn.as_mut() else {
                    errors += 1;
                    conn = Connection::open(&server.addr).await.ok();
                    continue;
                };
                let n = counter.get();
                counter.set(n + 1);
                let req = make(n);
                let sent = Instant::now();
                match c.send(&req).await {
                    Ok((status, _)) => {
                        latencies.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                        if status >= 400 {
                            errors += 1;
                        }
                    }
                    Err(_) => {
                        errors += 1;
                        conn = Connection::open(&server.addr).await.ok();
                    }
                }
            }
            (latencies, errors)
        };
        let (results, rss) = with_rss(server.child.id(), join_all((0..connections).map(one))).await;
        (results, rss, started.elapsed())
    };
    let (warm, warm_rss, _) = drive(warmup()).await;
    let warm_errors: u64 = warm.iter().map(|(_, e)| e).sum();
    let (results, rss, elapsed) = drive(duration).await;
    // Errors and memory count in the warm-up too; only latencies and the rate do not.
    let errors = warm_errors + results.iter().map(|(_, e)| e).sum::<u64>();
    let latencies = results.into_iter().flat_map(|(l, _)| l).collect();
    outcome(name, latencies, errors, elapsed, rss.max(warm_rss))
}

/// Runs `sql` with one parameter from `params` on `connections` connections (prepared
/// statements), as the endpoint would, and reads every row.
async fn sql_load(
    name: &'static str,
    server: &Server,
    connections: usize,
    duration: Duration,
    sql: &str,
    params: &[uuid::Uuid],
) -> anyhow::Result<Outcome> {
    if skipped(name) {
        return Ok(outcome(name, Vec::new(), 0, duration, 0.0));
    }
    let mut clients = Vec::new();
    for _ in 0..connections {
        let client = local::probe(&server.db).await?;
        let statement = client.prepare(sql).await?;
        clients.push((client, statement));
    }
    let counter = Cell::new(0usize);
    let counter = &counter;
    // Warm-up, then the measured run, as for HTTP.
    let drive = async |duration: Duration| {
        let started = Instant::now();
        let deadline = started + duration;
        let one =
            async |(client, statement): &(tokio_postgres::Client, tokio_postgres::Statement)| {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                while Instant::now() < deadline {
                    let n = counter.get();
                    counter.set(n + 1);
                    let id = params[n % params.len()];
                    let limit: i64 = 21;
                    let args: [&(dyn ToSql + Sync); 2] = [&id, &limit];
                    let sent = Instant::now();
                    match client.query(statement, &args).await {
                        Ok(_) => latencies.push(sent.elapsed().as_micros() as u32),
                        Err(_) => errors += 1,
                    }
                }
                (latencies, errors)
            };
        let results = join_all(clients.iter().map(one)).await;
        (results, started.elapsed())
    };
    let (warm, _) = drive(warmup()).await;
    let (results, elapsed) = drive(duration).await;
    let errors = warm.iter().chain(&results).map(|(_, e)| e).sum();
    let latencies = results.into_iter().flat_map(|(l, _)| l).collect();
    Ok(outcome(name, latencies, errors, elapsed, 0.0))
}

const ENTERPRISE_BY_ID: &str = "SELECT id, name, credit_code, credit_code_override_reason, \
    region_code, category, subcategory, size, lead_department, legal_representative, address, \
    key_products, designated_on, designation_batch, status, assigned_departments, \
    liaison_officers, tags, employees, description, created_by, version, created_at, updated_at \
    FROM enterprises WHERE id = $1 LIMIT $2";
const LATEST_VISITS: &str = "SELECT id, enterprise_id, department, visited_on, kind, officers, \
    summary, participants, purpose, findings, next_visit_on, created_by, version, created_at, \
    updated_at FROM visits WHERE enterprise_id = $1 ORDER BY visited_on DESC, id DESC LIMIT $2";

/// Logs in and returns the access token.
async fn token(server: &Server, username: &str) -> anyhow::Result<String> {
    let body = serde_json::json!({"grant_type": "password", "username": username,
        "password": liaison::seeds::synthetic::SYNTHETIC_PASSWORD})
    .to_string();
    let raw = one_request(
        &server.addr,
        &request("POST", "/api/v1/auth/token", "", Some(&body)),
    )
    .await?;
    let json: serde_json::Value = serde_json::from_str(&raw)?;
    json["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("login as {username} failed: {raw}"))
}

/// One request on a fresh connection that the server closes; returns the body text.
async fn one_request(addr: &str, req: &[u8]) -> anyhow::Result<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let mut req = String::from_utf8_lossy(req).into_owned();
    req = req.replacen("Host: bench\r\n", "Host: bench\r\nConnection: close\r\n", 1);
    stream.write_all(req.as_bytes()).await?;
    let mut text = String::new();
    stream.read_to_string(&mut text).await?;
    Ok(text.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned())
}

fn percent_encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn ids(client: &tokio_postgres::Client, sql: &str) -> anyhow::Result<Vec<uuid::Uuid>> {
    Ok(client
        .query(sql, &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// Every scenario at this scale.
/// A visit with two demands written while one webhook is subscribed to every event: the
/// write also queues three deliveries, sent meanwhile to a receiver that answers 204.
async fn webhook_write(
    server: &Server,
    connections: usize,
    duration: Duration,
    (liaison, admin): (&str, &str),
    enterprises: &[uuid::Uuid],
    officer: uuid::Uuid,
) -> anyhow::Result<Outcome> {
    let name = "POST visit with two demands, one webhook subscribed";
    if skipped(name) {
        return Ok(outcome(name, Vec::new(), 0, Duration::ZERO, 0.0));
    }
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", receiver.local_addr()?);
    tokio::spawn(answer_204(receiver));
    let body = serde_json::json!({"url": url, "event_types": ["*"]}).to_string();
    let made = one_request(
        &server.addr,
        &request("POST", "/api/v1/webhooks", admin, Some(&body)),
    )
    .await?;
    let id = serde_json::from_str::<serde_json::Value>(&made)?["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let today = liaison::db::clock::today_in_china();
    let measured = http_load(name, server, connections, duration, &|n| {
        let body = serde_json::json!({"enterprise_id": enterprises[n as usize % enterprises.len()],
            "visited_on": today, "kind": "on_site", "officers": [officer],
            "summary": "基准测试走访：推送订阅下的写入",
            "demands": [{"category": "financing", "title": "流动资金贷款", "assigned_department": "gxw"},
                        {"category": "talent", "title": "技术人才引进", "assigned_department": "kjt"}]}).to_string();
        request("POST", "/api/v1/visits", liaison, Some(&body))
    })
    .await;
    // The scenarios after this one run without it.
    let path = format!("/api/v1/webhooks/{id}");
    one_request(&server.addr, &request("DELETE", &path, admin, None)).await?;
    Ok(measured)
}

/// A webhook receiver that answers every request with 204 (keep-alive).
async fn answer_204(listener: tokio::net::TcpListener) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    while let Ok((mut socket, _)) = listener.accept().await {
        tokio::spawn(async move {
            let mut buf = vec![0_u8; 64 * 1024];
            while let Ok(n @ 1..) = socket.read(&mut buf).await {
                // One request per read is enough here: bodies are small.
                let _ = n;
                let reply = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n";
                if socket.write_all(reply).await.is_err() {
                    break;
                }
            }
        });
    }
}

/// A page of 50 events of the feed after a random event written by the scenarios before.
async fn events_feed(
    server: &Server,
    db: &tokio_postgres::Client,
    connections: usize,
    duration: Duration,
    reader: &str,
) -> anyhow::Result<Outcome> {
    let ids: Vec<String> = db
        .query(
            "SELECT lpad(to_hex(txid), 16, '0') || lpad(to_hex(seq), 16, '0') FROM events \
             TABLESAMPLE BERNOULLI (10) LIMIT 2000",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let name = "GET events feed page (50)";
    Ok(http_load(name, server, connections, duration, &|n| {
        let path = match ids.get(n as usize % ids.len().max(1)) {
            Some(after) => format!("/api/v1/events?after={after}&limit=50"),
            None => "/api/v1/events?limit=50".to_owned(),
        };
        request("GET", &path, reader, None)
    })
    .await)
}

pub async fn run_all(
    server: &Server,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Vec<Outcome>> {
    let db = local::probe(&server.db).await?;
    // The same number of enterprises at every scale (2,000, spread over the whole table), so
    // that the scales differ in the data around them, not in how many are asked for.
    let total: i64 = db
        .query_one("SELECT count(*) FROM enterprises", &[])
        .await?
        .get(0);
    let percent = (100.0 * 4_000.0 / total.max(1) as f64).min(100.0);
    let any = ids(
        &db,
        &format!(
            "SELECT id FROM enterprises TABLESAMPLE BERNOULLI ({percent}) REPEATABLE (7) \
             ORDER BY md5(id::text) LIMIT 2000"
        ),
    )
    .await?;
    let gxw_active = ids(
        &db,
        "SELECT id FROM enterprises WHERE status = 'active' AND lead_department = 'gxw' LIMIT 2000",
    )
    .await?;
    let measures = ids(&db, "SELECT id FROM support_measures WHERE department = 'czt' AND status = 'approved' AND amount - disbursed_amount >= 1000 LIMIT 2000").await?;
    // What an official types: the first six characters of a real name (place, brand and the
    // start of the trade, as in 九江恒达应急), which single out about one enterprise at every
    // scale, so that each scale returns as many rows.
    let name_starts: Vec<String> = db
        .query(
            &format!(
                "SELECT name FROM enterprises TABLESAMPLE BERNOULLI ({percent}) REPEATABLE (8) \
                 ORDER BY md5(id::text) LIMIT 500"
            ),
            &[],
        )
        .await?
        .iter()
        .map(|r| percent_encode(&r.get::<_, String>(0).chars().take(6).collect::<String>()))
        .collect();
    let officer: uuid::Uuid = db
        .query_one(
            "SELECT id FROM users WHERE username = 'syn.gxw.liaison01'",
            &[],
        )
        .await?
        .get(0);
    let liaison = token(server, "syn.gxw.liaison01").await?;
    let finance = token(server, "syn.czt.finance01").await?;
    let analyst = token(server, "syn.yjb.analyst01").await?;
    let admin = token(server, "syn.admin").await?;
    let today = liaison::db::clock::today_in_china();
    // Voucher numbers must never repeat, across rounds and runs alike.
    let run_id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();

    let mut out = Vec::new();
    let get = |path: String, token: &str| request("GET", &path, token, None);
    out.push(
        http_load(
            "GET /healthz (HTTP ceiling)",
            server,
            connections,
            duration,
            &|_| request("GET", "/healthz", "", None),
        )
        .await,
    );
    out.push(
        http_load(
            "GET enterprise by id",
            server,
            connections,
            duration,
            &|n| {
                get(
                    format!("/api/v1/enterprises/{}", any[n as usize % any.len()]),
                    &liaison,
                )
            },
        )
        .await,
    );
    out.push(
        sql_load(
            "  same SQL as by id, raw (tokio-postgres)",
            server,
            connections,
            duration,
            ENTERPRISE_BY_ID,
            &any,
        )
        .await?,
    );
    out.push(
        http_load(
            "GET latest visits of an enterprise (20)",
            server,
            connections,
            duration,
            &|n| {
                get(
                    format!(
                        "/api/v1/visits?enterprise_id={}&limit=20",
                        any[n as usize % any.len()]
                    ),
                    &liaison,
                )
            },
        )
        .await,
    );
    out.push(
        sql_load(
            "  same SQL as latest visits, raw (tokio-postgres)",
            server,
            connections,
            duration,
            LATEST_VISITS,
            &any,
        )
        .await?,
    );
    out.push(http_load("GET enterprises, filtered", server, connections, duration, &|n| {
        let city = ["360100", "360400", "360700", "360800"][n as usize % 4];
        get(format!("/api/v1/enterprises?region_code={city}&category=rescue_disposal&status=active&limit=50"), &analyst)
    }).await);
    out.push(
        http_load(
            "GET enterprises, Chinese name search (start of a name)",
            server,
            connections,
            duration,
            &|n| {
                let q = &name_starts[n as usize % name_starts.len()];
                get(format!("/api/v1/enterprises?q={q}&limit=20"), &analyst)
            },
        )
        .await,
    );
    out.push(
        http_load(
            "GET enterprises, Chinese common-word search",
            server,
            connections,
            duration,
            &|n| {
                // 应急装备 / 消防科技 / 安全防护: one name in sixteen each
                let q = [
                    "%E5%BA%94%E6%80%A5%E8%A3%85%E5%A4%87",
                    "%E6%B6%88%E9%98%B2%E7%A7%91%E6%8A%80",
                    "%E5%AE%89%E5%85%A8%E9%98%B2%E6%8A%A4",
                ][n as usize % 3];
                get(format!("/api/v1/enterprises?q={q}&limit=20"), &analyst)
            },
        )
        .await,
    );
    out.push(
        http_load(
            "GET demands by department and status",
            server,
            connections,
            duration,
            &|n| {
                let status = ["open", "accepted"][n as usize % 2];
                get(
                    format!("/api/v1/demands?assigned_department=gxw&status={status}&limit=50"),
                    &liaison,
                )
            },
        )
        .await,
    );
    let visit = |n: u64| {
        let body = serde_json::json!({"enterprise_id": gxw_active[n as usize % gxw_active.len()],
            "visited_on": today, "kind": "on_site", "officers": [officer],
            "summary": "基准测试走访：了解生产经营情况",
            "demands": [{"category": "financing", "title": "流动资金贷款", "assigned_department": "gxw"},
                        {"category": "talent", "title": "技术人才引进", "assigned_department": "kjt"}]}).to_string();
        request("POST", "/api/v1/visits", &liaison, Some(&body))
    };
    out.push(
        http_load(
            "POST visit with two demands",
            server,
            connections,
            duration,
            &visit,
        )
        .await,
    );
    let names = (
        "POST visit with two demands, events on (A/B)",
        "POST visit with two demands, events off (A/B)",
    );
    out.extend(events_cost(server, &db, connections, duration, names, &visit).await?);
    out.push(
        webhook_write(
            server,
            connections,
            duration,
            (&liaison, &admin),
            &gxw_active,
            officer,
        )
        .await?,
    );
    out.push(events_feed(server, &db, connections, duration, &analyst).await?);
    // A voucher is recorded once per measure: numbered across every run of the scenario.
    let vouchers = Cell::new(0u64);
    let disburse = |_: u64| {
        let serial = vouchers.get();
        vouchers.set(serial + 1);
        let body = serde_json::json!({"amount": "1.00", "paid_on": today,
            "voucher_no": format!("BENCH-{run_id}-{serial}")})
        .to_string();
        let measure = measures[serial as usize % measures.len().max(1)];
        request(
            "POST",
            &format!("/api/v1/support-measures/{measure}/disbursements"),
            &finance,
            Some(&body),
        )
    };
    out.push(
        http_load(
            "POST disbursement",
            server,
            connections,
            duration,
            &disburse,
        )
        .await,
    );
    let names = (
        "POST disbursement, events on (A/B)",
        "POST disbursement, events off (A/B)",
    );
    let cost = events_cost(server, &db, connections, duration, names, &disburse);
    out.extend(cost.await?);
    out.push(
        http_load("GET stats overview", server, connections, duration, &|_| {
            get("/api/v1/stats/overview".into(), &analyst)
        })
        .await,
    );
    // One computation at a time, as the target states it: each request asks for another visit
    // window, so no answer comes from the cache.
    out.push(
        http_load(
            "GET stats overview, computed each time (1 connection)",
            server,
            1,
            duration,
            &|n| {
                get(
                    format!("/api/v1/stats/overview?window_days={}", 1 + n % 3650),
                    &analyst,
                )
            },
        )
        .await,
    );
    out.extend(leader_figures(server, connections, duration, &analyst).await);
    if skipped("CSV export of all enterprises") {
        return Ok(out);
    }
    // The export: one download of every enterprise, timed whole.
    let export = async {
        let mut conn = Connection::open(&server.addr).await?;
        let started = Instant::now();
        let (status, bytes) = conn
            .send(&get("/api/v1/exports/enterprises".into(), &admin))
            .await?;
        anyhow::Ok((status, bytes, started.elapsed()))
    };
    let (result, rss) = with_rss(server.child.id(), export).await;
    let (status, bytes, took) = result?;
    let mut o = outcome(
        "CSV export of all enterprises",
        vec![took.as_micros() as u32],
        u64::from(status != 200),
        took,
        rss,
    );
    o.rps = bytes as f64 / took.as_secs_f64() / 1e6; // MB/s, reported in its own column
    out.push(o);
    Ok(out)
}

/// The leaders' figures: what dashboards get (the same question from 64 connections, answered
/// from the cache but for one computation a second), and one computation at a time (another
/// period or window each request, so nothing comes from the cache).
async fn leader_figures(
    server: &Server,
    connections: usize,
    duration: Duration,
    analyst: &str,
) -> Vec<Outcome> {
    let groupings = ["department", "city", "category", "officer"];
    let mut out = Vec::new();
    out.push(
        http_load(
            "GET stats demands (this month)",
            server,
            connections,
            duration,
            &|_| request("GET", "/api/v1/stats/demands", analyst, None),
        )
        .await,
    );
    out.push(
        http_load(
            "GET stats demands, computed each time (1 connection)",
            server,
            1,
            duration,
            &|n| {
                let from = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default()
                    + chrono::Days::new(n % 600);
                let to = from + chrono::Days::new(29);
                let grouping = groupings[(n / 600) as usize % groupings.len()];
                let path = format!("/api/v1/stats/demands?from={from}&to={to}&group_by={grouping}");
                request("GET", &path, analyst, None)
            },
        )
        .await,
    );
    out.push(
        http_load("GET stats coverage", server, connections, duration, &|_| {
            request("GET", "/api/v1/stats/coverage", analyst, None)
        })
        .await,
    );
    out.push(
        http_load(
            "GET stats coverage, computed each time (1 connection)",
            server,
            1,
            duration,
            &|n| {
                let grouping = groupings[n as usize % groupings.len()];
                let window = 1 + n / 4 % 3650;
                let path =
                    format!("/api/v1/stats/coverage?window_days={window}&group_by={grouping}");
                request("GET", &path, analyst, None)
            },
        )
        .await,
    );
    out
}
