//! Load benchmark: `cargo bench --bench load [-- --scales 10000,100000 --seconds 5 --rounds 3]`.
//!
//! For each scale it loads synthetic data (`liaison seed --synthetic`, kept between runs in
//! `liaison_bench_<n>`), starts the release server on a fresh copy of it for every round (the
//! write scenarios add rows), and drives it over keep-alive HTTP with a
//! fixed number of connections (64), authenticated as liaison, finance and analyst users. Each
//! scenario reports requests per second, p50/p99/max latency, errors and the server's peak RSS.
//! The same SQL that the by-id and latest-visits endpoints run is also run straight against
//! PostgreSQL (tokio-postgres, prepared statements, same concurrency) for the ratio
//! endpoint / raw database, and `/healthz` gives the HTTP ceiling. The load generator, the server
//! and PostgreSQL share the machine: ratios within one run are the numbers to compare.

mod events_cost;
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
    // Each scenario first runs unmeasured, so that p99 is the steady state, not first reads.
    let warmup: u64 = arg("--warmup").map_or(Ok(2), |s| s.parse())?;
    let _ = scenarios::WARMUP.set(Duration::from_secs(warmup));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // `--rounds 3`: every scale again, in turn, and the median of the rounds reported.
    let rounds: usize = arg("--rounds").map_or(Ok(1), |s| s.parse())?;
    runtime.block_on(async {
        let mut runs: Vec<(usize, Vec<Vec<scenarios::Outcome>>)> =
            scales.iter().map(|&scale| (scale, Vec::new())).collect();
        for round in 1..=rounds.max(1) {
            for (scale, results) in &mut runs {
                let server = setup::prepare(*scale).await?;
                // The database's own cache decides how much of the data is read from memory.
                let settings = liaison::db::local::probe(&server.db)
                    .await?
                    .query_one("SELECT current_setting('shared_buffers')", &[])
                    .await?;
                println!(
                    "\nRound {round} of {rounds}; PostgreSQL shared_buffers = {}",
                    settings.get::<_, String>(0)
                );
                let outcomes =
                    scenarios::run_all(&server, connections, Duration::from_secs(seconds)).await?;
                println!("{}", report::scale_table(*scale, connections, &outcomes));
                results.push(outcomes);
            }
        }
        let tables: Vec<(usize, Vec<scenarios::Outcome>)> = runs
            .iter()
            .map(|(scale, results)| (*scale, report::median_of_rounds(results)))
            .collect();
        if rounds > 1 {
            println!("\n## Median of {rounds} rounds");
            for (scale, results) in &tables {
                println!("{}", report::scale_table(*scale, connections, results));
            }
        }
        if tables.len() > 1 {
            println!("{}", report::growth_table(&tables));
        }
        anyhow::Ok(())
    })
}
