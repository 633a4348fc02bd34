//! The `liaison` command line, run as a user would run it.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::TestDb;

fn liaison(db: &TestDb, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_liaison"))
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

#[actix_web::test]
async fn user_and_client_create_print_what_is_needed_once() {
    let db = TestDb::new().await;
    let out = liaison(
        &db,
        &[
            "user",
            "create",
            "--username",
            "boot.admin",
            "--department",
            "gxw",
            "--role",
            "admin",
            "--password-stdin",
        ],
        Some("a-bootstrap-password\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("a-bootstrap-password"));
    let row = db
        .client()
        .await
        .query_one(
            "SELECT department, roles FROM users WHERE username = 'boot.admin'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "gxw");
    assert_eq!(row.get::<_, Vec<String>>(1), vec!["admin"]);

    let out = liaison(
        &db,
        &[
            "client",
            "create",
            "--name",
            "发改委项目库",
            "--department",
            "fgw",
            "--role",
            "liaison",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(printed["client_id"].as_str().unwrap().starts_with("lc_"));
    assert!(printed["client_secret"].as_str().unwrap().len() >= 40);

    let out = liaison(
        &db,
        &[
            "user",
            "create",
            "--username",
            "x.y",
            "--department",
            "gxw",
            "--role",
            "boss",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));
}

#[actix_web::test]
async fn seed_is_idempotent_and_demo_prints_passwords_once() {
    let db = TestDb::new().await;
    let out = liaison(&db, &["seed", "--demo"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("demo user admin") && stdout.contains("password"),
        "{stdout}"
    );
    let again = liaison(&db, &["seed", "--demo"], None);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("exists"));
    let client = db.client().await;
    let count = |sql: &'static str| {
        let client = &client;
        async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    // The plan's 21 provincial bodies and the 11 cities' industry bureaus.
    assert_eq!(count("SELECT count(*) FROM departments").await, 32);
    assert_eq!(
        count("SELECT count(*) FROM calendar_days WHERE day >= '2026-01-01'").await,
        39
    );
    assert_eq!(count("SELECT count(*) FROM demand_time_limits").await, 18);
    assert_eq!(
        count("SELECT count(*) FROM regions WHERE level = 'city'").await,
        11
    );
    assert_eq!(count("SELECT count(*) FROM categories").await, 4);
    assert_eq!(
        count("SELECT count(*) FROM policies").await,
        6,
        "2 seeded and 4 demo policies"
    );
    assert_eq!(
        count("SELECT count(*) FROM policies WHERE document_no = '国办发〔2014〕63号'").await,
        1
    );
    // Officers of the handling bodies (a city bureau among them) and a supervisor.
    assert_eq!(count("SELECT count(*) FROM users").await, 17);
    assert_eq!(
        count("SELECT count(*) FROM users WHERE 'supervisor' = ANY(roles)").await,
        1
    );
    // About 60 demo enterprises across all 11 cities and 4 categories, with contacts.
    let enterprises = count("SELECT count(*) FROM enterprises").await;
    assert!((50..=70).contains(&enterprises), "{enterprises}");
    assert_eq!(
        count("SELECT count(DISTINCT coalesce(r.parent_code, r.code)) FROM enterprises e JOIN regions r ON r.code = e.region_code").await,
        11
    );
    assert_eq!(
        count("SELECT count(DISTINCT category) FROM enterprises").await,
        4
    );
    assert_eq!(count("SELECT count(*) FROM enterprises e WHERE NOT EXISTS (SELECT 1 FROM enterprise_contacts c WHERE c.enterprise_id = e.id)").await, 0);
    assert_eq!(
        count("SELECT count(*) FROM enterprises WHERE cardinality(liaison_officers) > 0").await,
        enterprises
    );
    assert!(String::from_utf8_lossy(&again.stdout).contains("demo enterprises added: 0"));
    // Eight quarters of indicators per enterprise, reported once (the second seed adds none).
    assert_eq!(
        count("SELECT count(*) FROM indicators").await,
        enterprises * 8
    );
    assert!(
        count("SELECT count(*) FROM indicators WHERE profit < 0").await > 0,
        "some losses"
    );
    // A year of visits and demands, in every state, with consistent events.
    let visits = count("SELECT count(*) FROM visits").await;
    assert!(visits >= 100, "{visits}");
    assert_eq!(
        count("SELECT count(*) FROM visits WHERE visited_on < current_date - 365").await,
        0
    );
    assert_eq!(count("SELECT count(DISTINCT status) FROM demands").await, 5);
    assert!(
        count("SELECT count(*) FROM demand_events WHERE satisfaction = 'unsatisfied'").await > 0
    );
    assert_eq!(
        count("SELECT count(*) FROM demands d WHERE d.status <> (SELECT e.to_status FROM demand_events e WHERE e.demand_id = d.id ORDER BY e.at DESC LIMIT 1)").await,
        0,
        "each demand's status is its last event's"
    );
    assert_eq!(count("SELECT count(*) FROM demands d WHERE d.version <> (SELECT count(*) FROM demand_events e WHERE e.demand_id = d.id)").await, 0);
    // The history is one the API allows: moves by an officer of the department the demand was
    // with, follow-ups by the raising officer or the supervisor, each kept.
    assert_eq!(count("SELECT count(*) FROM demand_events e JOIN users u ON u.id = e.actor WHERE e.kind = 'transition' AND u.department <> e.assigned_department").await, 0);
    assert_eq!(count("SELECT count(*) FROM demand_follow_ups f JOIN demands d ON d.id = f.demand_id JOIN users u ON u.id = f.by_user WHERE f.by_user IS DISTINCT FROM d.raised_by AND NOT 'supervisor' = ANY(u.roles)").await, 0);
    assert!(count("SELECT count(*) FROM demand_follow_ups WHERE rating = 'unsatisfied'").await > 0);
    assert!(
        count("SELECT count(*) FROM demand_follow_ups WHERE rating <> 'unsatisfied'").await > 0
    );
    assert_eq!(
        count("SELECT count(*) FROM demands WHERE status = 'closed' AND follow_ups = 0").await,
        0
    );
    assert!(count("SELECT count(*) FROM demands WHERE assigned_department = 'nc_gxj'").await > 0);
    assert!(count("SELECT count(DISTINCT assigned_department) FROM demands").await >= 8);
    // Money: measures with 文号, tranches that add up, benefits in several states.
    assert!(
        count("SELECT count(*) FROM support_measures WHERE document_no LIKE '赣财企〔2025〕%号'")
            .await
            >= 30
    );
    assert!(count("SELECT count(*) FROM support_measures WHERE status = 'disbursed'").await > 0);
    assert_eq!(count("SELECT count(*) FROM support_measures m WHERE m.disbursed_amount <> coalesce((SELECT sum(amount) FROM disbursements d WHERE d.measure_id = m.id), 0)").await, 0);
    assert!(count("SELECT count(DISTINCT status) FROM policy_benefits").await >= 4);
    assert!(count("SELECT count(*) FROM policies WHERE cardinality(categories) > 0 OR cardinality(sizes) > 0 OR cardinality(region_codes) > 0").await >= 3);
}

#[actix_web::test]
async fn serve_refuses_a_weak_jwt_secret() {
    let out = Command::new(env!("CARGO_BIN_EXE_liaison"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("LIAISON_JWT_SECRET", "too-short")
        .env("DATABASE_URL", "host=/nonexistent dbname=x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("at least 32"), "{stderr}");
    assert!(!stderr.contains("too-short"), "the secret is never printed");
}

#[actix_web::test]
async fn a_private_cluster_starts_from_the_machines_binaries() {
    if liaison::db::local::find_postgres_bin_dir().is_none() {
        eprintln!("no PostgreSQL binaries here: nothing to start");
        return;
    }
    let base = std::env::temp_dir().join(format!(
        "liaison-cluster-test-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let cluster_base = base.clone();
    let cluster = tokio::task::spawn_blocking(move || {
        liaison::db::local::PrivateCluster::start(&cluster_base, true)
    })
    .await
    .unwrap()
    .unwrap();
    let client = liaison::db::local::probe(&cluster.conn_str("postgres"))
        .await
        .unwrap();
    let row = client
        .query_one("SELECT current_setting('listen_addresses')", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "", "socket only, no TCP port");
    drop(client);
    cluster.stop();
    assert!(
        liaison::db::local::probe(&cluster.conn_str("postgres"))
            .await
            .is_err()
    );
    let _ = std::fs::remove_dir_all(&base);
}

#[actix_web::test]
async fn user_create_names_the_bad_field() {
    let db = TestDb::new().await;
    let out = liaison(
        &db,
        &[
            "user",
            "create",
            "--username",
            "x.y",
            "--department",
            "nope",
            "--role",
            "analyst",
        ],
        None,
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("department"), "{stderr}");
}

#[actix_web::test]
async fn synthetic_seed_fills_an_empty_database_with_valid_rows() {
    let db = TestDb::new().await;
    // The seed drops indexes and foreign keys for the load and must build every one again.
    let schema_sql = "SELECT string_agg(d, E'\\n' ORDER BY d) FROM ( \
        SELECT pg_get_indexdef(indexrelid) AS d FROM pg_index \
        WHERE indrelid = ANY('{enterprises,visits,demands,demand_events,support_measures,disbursements,indicators}'::regclass[]) \
        UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint \
        WHERE conrelid = ANY('{enterprises,visits,demands,demand_events,support_measures,disbursements,indicators}'::regclass[]) \
        UNION ALL SELECT attrelid::regclass || ' statistics ' || attstattarget FROM pg_attribute \
        WHERE attstattarget > 0 AND attrelid = ANY('{enterprises,enterprises_name_bigrams_idx}'::regclass[])) x";
    let schema_before: String = db
        .client()
        .await
        .query_one(schema_sql, &[])
        .await
        .unwrap()
        .get(0);
    assert!(
        schema_before.contains("visits_window_idx"),
        "{schema_before}"
    );
    assert!(schema_before.contains("FOREIGN KEY"), "{schema_before}");
    assert!(
        schema_before.contains("enterprises_name_bigrams_idx statistics 1000"),
        "{schema_before}"
    );
    let out = liaison(
        &db,
        &[
            "seed",
            "--synthetic",
            "--enterprises",
            "300",
            "--visits",
            "1000",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let client = db.client().await;
    let count = |sql: &'static str| {
        let client = &client;
        async move { client.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    assert_eq!(count("SELECT count(*) FROM enterprises").await, 300);
    assert_eq!(count("SELECT count(*) FROM visits").await, 1000);
    assert_eq!(count("SELECT count(*) FROM demands").await, 900);
    assert_eq!(count("SELECT count(*) FROM support_measures").await, 600);
    assert_eq!(count("SELECT count(*) FROM indicators").await, 2400);
    // The triggers on visits kept each enterprise's last visit through the COPY.
    assert_eq!(
        count(
            "SELECT count(*) FROM (SELECT enterprise_id, max(visited_on) FROM visits GROUP BY 1 \
               EXCEPT SELECT enterprise_id, last_visited_on FROM enterprise_last_visits) x"
        )
        .await,
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM enterprise_last_visits").await,
        count("SELECT count(DISTINCT enterprise_id) FROM visits").await
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM enterprise_last_visits l JOIN enterprises e \
               ON e.id = l.enterprise_id WHERE l.status <> e.status"
        )
        .await,
        0
    );
    // The overview's running totals, kept by triggers through the COPY, add up to a recount.
    for (totals, recount) in [
        (
            "SELECT department, fiscal_year, sum(measures), sum(approved), sum(disbursed) \
             FROM support_totals GROUP BY 1, 2",
            "SELECT department, fiscal_year, count(*), coalesce(sum(amount) FILTER \
             (WHERE status IN ('approved', 'disbursed')), 0), sum(disbursed_amount) \
             FROM support_measures GROUP BY 1, 2",
        ),
        (
            "SELECT code, sum(n) FROM enterprise_tallies WHERE dimension = 'region' GROUP BY 1",
            "SELECT region_code, count(*) FROM enterprises GROUP BY 1",
        ),
        (
            "SELECT visited_on, sum(n) FROM visit_day_tallies GROUP BY 1",
            "SELECT visited_on, count(*) FROM visits GROUP BY 1",
        ),
        (
            "SELECT status, last_visited_on, sum(n) FROM last_visit_tallies GROUP BY 1, 2",
            "SELECT status, last_visited_on, count(*) FROM enterprise_last_visits GROUP BY 1, 2",
        ),
        (
            "SELECT department, status, due_on, sum(n) FROM demand_tallies GROUP BY 1, 2, 3",
            "SELECT assigned_department, status, CASE WHEN status IN ('open', 'accepted') \
             THEN due_on END, count(*) FROM demands GROUP BY 1, 2, 3",
        ),
    ] {
        let differing = format!(
            "SELECT count(*) FROM (({totals} EXCEPT {recount}) \
             UNION ALL ({recount} EXCEPT {totals})) x"
        );
        let n: i64 = client.query_one(&differing, &[]).await.unwrap().get(0);
        assert_eq!(n, 0, "{totals}");
    }
    let schema_after: String = client.query_one(schema_sql, &[]).await.unwrap().get(0);
    assert_eq!(schema_after, schema_before);
    // Every demand's history ends in its status; payments never exceed the amount.
    assert_eq!(
        count("SELECT count(*) FROM demands d WHERE d.status <> (SELECT e.to_status FROM demand_events e WHERE e.demand_id = d.id ORDER BY e.at DESC LIMIT 1)").await,
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM support_measures m WHERE m.disbursed_amount <> (SELECT coalesce(sum(amount), 0) FROM disbursements d WHERE d.measure_id = m.id)").await,
        0
    );
    let codes = client
        .query("SELECT credit_code, name FROM enterprises", &[])
        .await
        .unwrap();
    for row in &codes {
        let code: String = row.get(0);
        assert!(
            liaison::domain::enterprises::credit_code::validate(&code).is_ok(),
            "{code}"
        );
        let name: String = row.get(1);
        assert!(name.ends_with("公司"), "{name}");
    }
    // Never into a database that holds enterprises.
    let again = liaison(&db, &["seed", "--synthetic", "--enterprises", "10"], None);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("empty database"));
    assert_eq!(count("SELECT count(*) FROM enterprises").await, 300);
}

#[actix_web::test]
async fn serve_folds_the_overview_totals_into_one_row_per_key() {
    let db = TestDb::new().await;
    let client = db.client().await;
    // Deltas as the triggers leave them: two for one day, and a day whose visits were removed.
    client
        .batch_execute(
            "INSERT INTO visit_day_tallies (visited_on, n) \
             VALUES ('2026-01-01', 2), ('2026-01-01', 3), ('2026-01-02', 1), ('2026-01-02', -1)",
        )
        .await
        .unwrap();
    let _server = crate::common::Child(
        Command::new(env!("CARGO_BIN_EXE_liaison"))
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("DATABASE_URL", &db.url)
            .env("LIAISON_JWT_SECRET", crate::common::JWT_SECRET)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // The server compacts as it starts, then every 10 s.
    let mut rows = Vec::new();
    for _ in 0..200 {
        rows = client
            .query(
                "SELECT visited_on::text, n FROM visit_day_tallies ORDER BY visited_on",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1)))
            .collect::<Vec<_>>();
        if rows.len() == 1 {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(rows, [("2026-01-01".to_owned(), 5)]);
}

/// The text of `liaison <args> --help`.
fn help(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_liaison"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?} --help");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn each_command_helps_with_its_own_options_and_server_settings_only_under_serve() {
    let create = help(&["client", "create"]);
    for own in ["--name", "--department", "--role", "--database-url"] {
        assert!(
            create.contains(own),
            "client create --help lists {own}:\n{create}"
        );
    }
    for server in ["--bind", "--jwt-secret", "--db-pool-size", "--cors-origins"] {
        assert!(
            !create.contains(server),
            "client create --help lists {server}:\n{create}"
        );
        assert!(
            help(&["serve"]).contains(server),
            "serve --help lists {server}"
        );
    }
    assert!(help(&["user", "create"]).contains("--password-stdin"));
    assert!(!help(&["migrate"]).contains("--bind"));
    assert!(
        !help(&[]).contains("--bind"),
        "the top level lists commands, not settings"
    );
}
