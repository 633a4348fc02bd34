//! Markdown tables of the results.

use crate::scenarios::Outcome;

/// One scale: every scenario, and the endpoint / raw-SQL ratios.
pub fn scale_table(scale: usize, connections: usize, results: &[Outcome]) -> String {
    let mut out = format!(
        "\n### {scale} enterprises, {} visits, {connections} connections\n\n\
         | scenario | requests | req/s | p50 ms | p99 ms | max ms | errors | server peak RSS MiB |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        scale * 10
    );
    let results: Vec<&Outcome> = results.iter().filter(|r| r.requests > 0).collect();
    for r in &results {
        if r.name.starts_with("CSV export") {
            out.push_str(&format!(
                "| {} | 1 | {:.1} MB/s | | | {:.0} (whole file) | {} | {:.0} |\n",
                r.name, r.rps, r.max_ms, r.errors, r.peak_rss_mib
            ));
            continue;
        }
        let rss = if r.peak_rss_mib > 0.0 {
            format!("{:.0}", r.peak_rss_mib)
        } else {
            "—".into()
        };
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.1} | {} | {} |\n",
            r.name, r.requests, r.rps, r.p50_ms, r.p99_ms, r.max_ms, r.errors, rss
        ));
    }
    for (i, r) in results.iter().enumerate() {
        if r.name.trim_start().starts_with("same SQL") && i > 0 {
            let endpoint = &results[i - 1];
            out.push_str(&format!(
                "\n{}: {:.2} × the raw SQL rate",
                endpoint.name,
                endpoint.rps / r.rps.max(1.0)
            ));
        }
    }
    out.push('\n');
    out
}

/// p99 of each scenario per scale, and how it grew from the smallest scale to the largest.
pub fn growth_table(tables: &[(usize, Vec<Outcome>)]) -> String {
    let mut out = String::from("\n### p99 (ms) as data grows\n\n| scenario |");
    for (scale, _) in tables {
        out.push_str(&format!(" {scale} |"));
    }
    out.push_str(" growth |\n| --- |");
    for _ in tables {
        out.push_str(" ---: |");
    }
    out.push_str(" ---: |\n");
    let (_, first) = &tables[0];
    for (i, r) in first.iter().enumerate() {
        if r.requests == 0 {
            continue;
        }
        out.push_str(&format!("| {} |", r.name.trim()));
        for (_, results) in tables {
            let value = if r.name.starts_with("CSV export") {
                results[i].max_ms
            } else {
                results[i].p99_ms
            };
            out.push_str(&format!(" {value:.2} |"));
        }
        let last = &tables[tables.len() - 1].1[i];
        let (a, b) = if r.name.starts_with("CSV export") {
            (r.max_ms, last.max_ms)
        } else {
            (r.p99_ms, last.p99_ms)
        };
        out.push_str(&format!(" {:.1}× |\n", b / a.max(0.001)));
    }
    out
}

/// Each scenario over several rounds (`--rounds`): the median of rates, requests and latency
/// percentiles, so that one noisy round does not decide; the worst max and peak RSS, and every
/// round's errors.
pub fn median_of_rounds(rounds: &[Vec<Outcome>]) -> Vec<Outcome> {
    let median = |i: usize, value: fn(&Outcome) -> f64| {
        let mut values: Vec<f64> = rounds.iter().map(|r| value(&r[i])).collect();
        values.sort_by(f64::total_cmp);
        let n = values.len();
        (values[(n - 1) / 2] + values[n / 2]) / 2.0
    };
    (0..rounds[0].len())
        .map(|i| Outcome {
            name: rounds[0][i].name,
            requests: median(i, |o| o.requests as f64).round() as u64,
            errors: rounds.iter().map(|r| r[i].errors).sum(),
            rps: median(i, |o| o.rps),
            p50_ms: median(i, |o| o.p50_ms),
            p99_ms: median(i, |o| o.p99_ms),
            max_ms: rounds.iter().map(|r| r[i].max_ms).fold(0.0, f64::max),
            peak_rss_mib: rounds.iter().map(|r| r[i].peak_rss_mib).fold(0.0, f64::max),
        })
        .collect()
}
