//! Load benchmark: `cargo bench --bench load [-- --scales 10000,100000 --seconds 5]`.
//!
//! For each scale it loads synthetic data (`liaison seed --synthetic`, kept between runs in
//! `liaison_bench_<n>`), starts the release server, and drives it over keep-alive HTTP with a
//! fixed number of connections (64), authenticated as liaison, finance and analyst users. Each
//! scenario reports requests per second, p50/p99/max latency, errors and the server's peak RSS.
//! The same SQL that the by-id and latest-visits endpoints run is also run straight against
//! PostgreSQL (tokio-postgres, prepared statements, same concurrency) for the ratio
//! endpoint / raw database, and `/healthz` gives the HTTP ceiling. The load generator, the server
//! and PostgreSQL share the machine: ratios within one run are the numbers to compare.

mod http;
mod report;
mod scenarios;
mod setup;

use std::time::Duration;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> anyhow::Result<()> {
    let scales: Vec<usize> = arg("--scales")
        .unwrap_or_else(|| "10000,100000".into())
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()?;
    let seconds: u64 = arg("--seconds").map_or(Ok(5), |s| s.parse())?;
    let connections: usize = arg("--connections").map_or(Ok(64), |s| s.parse())?;
    // `--only "by id"`: only the scenarios whose names contain the text.
    let _ = scenarios::ONLY.set(arg("--only"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut tables = Vec::new();
        for scale in scales {
            let server = setup::prepare(scale).await?;
            // The database's own cache decides how much of the data is read from memory.
            let settings = liaison::db::local::probe(&server.db)
                .await?
                .query_one("SELECT current_setting('shared_buffers')", &[])
                .await?;
            println!(
                "\nPostgreSQL shared_buffers = {}",
                settings.get::<_, String>(0)
            );
            let results =
                scenarios::run_all(&server, connections, Duration::from_secs(seconds)).await?;
            println!("{}", report::scale_table(scale, connections, &results));
            tables.push((scale, results));
        }
        if tables.len() > 1 {
            println!("{}", report::growth_table(&tables));
        }
        anyhow::Ok(())
    })
}
