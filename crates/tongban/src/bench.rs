//! Benchmarks (never tests): figures for the README's Performance section, each reported beside
//! a baseline measured in the same run, so the ratio means something on any machine.

mod rules;

use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tongban_domain::accounts::{NewUser, Role};
use tongban_domain::catalog::ItemGuide;
use tongban_store::Store;

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// Catalog search through HTTP and the uniformity report on generated items, beside a bare
    /// axum handler returning a fixed body.
    Catalog {
        /// Items to generate.
        #[arg(long, default_value_t = 10_000)]
        items: usize,
        /// Search requests to time (after a warm-up of a tenth as many).
        #[arg(long, default_value_t = 2_000)]
        requests: usize,
        /// PostgreSQL URL to bench instead of a temporary SQLite file (the database must be empty).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Hotline tickets taken in and dispatched through the API, then Open311 list queries over a
    /// table of generated tickets, beside a bare axum handler.
    Hotline {
        /// Tickets in the table the Open311 queries run over.
        #[arg(long, default_value_t = 1_000_000)]
        tickets: usize,
        /// Tickets to take in and dispatch through the API.
        #[arg(long, default_value_t = 500)]
        intake: usize,
        /// Open311 queries to time.
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
        /// PostgreSQL URL to bench instead of a temporary SQLite file (the database must be empty).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Company start-up bundles completed end to end (the one form, every part accepted, reviewed,
    /// decided and issued by its unit), beside single-case lifecycles in the same run.
    Bundles {
        /// Bundles to run.
        #[arg(long, default_value_t = 50)]
        bundles: usize,
        /// PostgreSQL URL to bench instead of a temporary SQLite file (the database must be empty).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// The rules engine beside OpenFisca: one enterprise judged against the seven demo policies,
    /// and a batch of generated enterprises; both engines' results must agree.
    Rules {
        /// Enterprises in the batch.
        #[arg(long, default_value_t = 100_000)]
        enterprises: usize,
        /// Python with `openfisca-core` installed (see bench/openfisca/README.md).
        #[arg(long, env = "TONGBAN_OPENFISCA_PYTHON", default_value = "python3")]
        python: String,
        /// The OpenFisca side's script.
        #[arg(long, default_value = "bench/openfisca/run.py")]
        script: std::path::PathBuf,
        /// Single decisions OpenFisca times (the Rust side times 500 times as many).
        #[arg(long, default_value_t = 200)]
        single_reps: usize,
    },
    /// Full case lifecycles (create, submit, accept, review steps, approve, issue) through the
    /// store's write path with audit entries, beside plain single-row insert transactions on the
    /// same store; and the cost of one deadline computation.
    Cases {
        /// Lifecycles to run.
        #[arg(long, default_value_t = 500)]
        cases: usize,
        /// PostgreSQL URL to bench instead of a temporary SQLite file (the database must be empty).
        #[arg(long)]
        database_url: Option<String>,
    },
}

pub async fn run(command: BenchCommand) -> Result<(), String> {
    match command {
        BenchCommand::Catalog {
            items,
            requests,
            database_url,
        } => catalog(items, requests, database_url).await,
        BenchCommand::Cases {
            cases,
            database_url,
        } => cases_bench(cases, database_url).await,
        BenchCommand::Bundles {
            bundles,
            database_url,
        } => bundles_bench(bundles, database_url).await,
        BenchCommand::Hotline {
            tickets,
            intake,
            queries,
            database_url,
        } => hotline_bench(tickets, intake, queries, database_url).await,
        BenchCommand::Rules {
            enterprises,
            python,
            script,
            single_reps,
        } => rules::run(enterprises, python, script, single_reps).await,
    }
}

/// Generates `n` published items from the demo catalog: new codes, the demo's names and fields,
/// basic codes shared by groups of four units so the uniformity report has work to do.
fn generated_items(n: usize) -> Vec<ItemGuide> {
    let demo = crate::demo::items();
    (0..n)
        .map(|i| {
            let group = i / 4;
            let mut g = demo[group % demo.len()].clone();
            g.basic_code = format!("9{group:011}");
            g.code = format!("{}-B{i:07}", g.unit);
            g.name = format!("{}（{}）", g.name, group);
            if i % 4 == 3 {
                g.promised_limit = g.legal_limit; // one in four differs from its group
            }
            g
        })
        .collect()
}

/// A scratch directory and the store URL to bench: the given PostgreSQL URL, or a SQLite file.
fn bench_store_url(database_url: Option<String>) -> Result<(std::path::PathBuf, String), String> {
    let scratch = std::env::temp_dir().join(format!("tongban-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let url =
        database_url.unwrap_or_else(|| format!("sqlite://{}", scratch.join("bench.db").display()));
    Ok((scratch, url))
}

async fn catalog(n: usize, requests: usize, database_url: Option<String>) -> Result<(), String> {
    let (scratch, url) = bench_store_url(database_url)?;
    let store = Store::open(&url).await.map_err(|e| e.to_string())?;
    store
        .upsert_units("bench", &crate::demo::units())
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    for chunk in generated_items(n).chunks(1_000) {
        store
            .import_items("bench", chunk, true, "bench")
            .await
            .map_err(|e| e.to_string())?;
    }
    let load = started.elapsed();
    let hash = tongban_web::auth::hash_password("bench-password-1".into())
        .await
        .map_err(|e| e.to_string())?;
    let supervisor = NewUser {
        username: "bench.supervisor".into(),
        display_name: "bench".into(),
        role: Role::Supervisor,
        unit: Some("XH-YSB".into()),
        identity: None,
    };
    store
        .create_user("bench", &supervisor, &hash)
        .await
        .map_err(|e| e.to_string())?;
    let token = format!("tb_{}", tongban_web::auth::random_token());
    store
        .create_api_token(
            "bench",
            "bench.supervisor",
            "bench",
            "tok_bench",
            &tongban_web::auth::sha256_hex(&token),
        )
        .await
        .map_err(|e| e.to_string())?;

    let running = crate::spawn(store.clone(), "127.0.0.1:0", Default::default())
        .await
        .map_err(|e| e.to_string())?;
    let bare = bare_server().await.map_err(|e| e.to_string())?;

    // Two-character Chinese words, a multi-word query, and filters, in rotation.
    let paths = [
        "/api/v1/items?q=%E5%85%AC%E7%AB%A0",              // 公章
        "/api/v1/items?q=%E7%A4%BE%E4%BF%9D",              // 社保
        "/api/v1/items?q=%E7%99%BB%E8%AE%B0&level=street", // 登记, street level
        "/api/v1/items?q=%E9%A3%9F%E5%93%81%20%E8%AE%B8%E5%8F%AF", // 食品 许可
        "/api/v1/items?unit=XH-SPJ&page=3",
        "/api/v1/items?theme=%E4%BC%81%E4%B8%9A%E5%BC%80%E5%8A%9E", // 企业开办
    ];
    let search = time_requests(running.addr, &paths, requests, None).await?;
    let baseline = time_requests(bare, &["/"], requests, None).await?;
    let auth = format!("Bearer {token}");
    let uniformity = time_requests(
        running.addr,
        &["/api/v1/catalog/uniformity"],
        5,
        Some(&auth),
    )
    .await?;
    let (search_p50, search_p99) = (percentile(&search, 50), percentile(&search, 99));
    let (bare_p50, bare_p99) = (percentile(&baseline, 50), percentile(&baseline, 99));

    println!(
        "tongban bench catalog: {n} items ({:?} store), {requests} search requests over one keep-alive connection",
        store.backend()
    );
    println!(
        "  load (import + publish, 1000 per transaction): {:.1} s",
        load.as_secs_f64()
    );
    println!(
        "  search            p50 {:>9.3} ms   p99 {:>9.3} ms",
        ms(search_p50),
        ms(search_p99)
    );
    println!(
        "  bare axum handler p50 {:>9.3} ms   p99 {:>9.3} ms",
        ms(bare_p50),
        ms(bare_p99)
    );
    println!(
        "  ratio search / bare: p50 {:.1}x   p99 {:.1}x",
        search_p50.as_secs_f64() / bare_p50.as_secs_f64(),
        search_p99.as_secs_f64() / bare_p99.as_secs_f64()
    );
    println!(
        "  uniformity report over {n} items (HTTP, median of 5): {:.1} ms   ({:.0}x the bare handler's p50)",
        ms(percentile(&uniformity, 50)),
        percentile(&uniformity, 50).as_secs_f64() / bare_p50.as_secs_f64()
    );
    running.stop().await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[((sorted.len() - 1) * p) / 100]
}

/// The physical floor: an axum server on the same runtime returning a fixed JSON body.
async fn bare_server() -> std::io::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(|| async {
            (
                [("content-type", "application/json")],
                r#"{"items":[],"meta":{"total":0}}"#,
            )
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(addr)
}

/// Sends `count` GETs (cycling through `paths`) over one keep-alive connection after a warm-up,
/// and returns the latencies sorted. Fails on any non-200 answer.
async fn time_requests(
    addr: std::net::SocketAddr,
    paths: &[&str],
    count: usize,
    auth: Option<&str>,
) -> Result<Vec<Duration>, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut conn = BufReader::new(stream);
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    let warm_up = count / 10;
    let mut times = Vec::with_capacity(count);
    for i in 0..warm_up + count {
        let path = paths[i % paths.len()];
        let request = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n{auth}\r\n");
        let start = Instant::now();
        conn.get_mut()
            .write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let status = read_response(&mut conn).await?;
        if status != 200 {
            return Err(format!("GET {path} answered {status}"));
        }
        if i >= warm_up {
            times.push(start.elapsed());
        }
    }
    times.sort();
    Ok(times)
}

/// Reads one HTTP/1.1 response with a Content-Length body; returns its status.
async fn read_response(conn: &mut BufReader<TcpStream>) -> Result<u16, String> {
    Ok(read_full_response(conn).await?.0)
}

/// Reads one HTTP/1.1 response with a Content-Length body: its status and body.
async fn read_full_response(conn: &mut BufReader<TcpStream>) -> Result<(u16, Vec<u8>), String> {
    let mut line = String::new();
    conn.read_line(&mut line).await.map_err(|e| e.to_string())?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("malformed status line")?;
    let mut length = 0usize;
    loop {
        line.clear();
        conn.read_line(&mut line).await.map_err(|e| e.to_string())?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse().map_err(|_| "bad content-length")?;
            }
        }
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body)
        .await
        .map_err(|e| e.to_string())?;
    Ok((status, body))
}

/// Sends one request with a JSON body over a keep-alive connection; returns status and body.
async fn call(
    conn: &mut BufReader<TcpStream>,
    method: &str,
    path: &str,
    auth: &str,
    body: &serde_json::Value,
) -> Result<(u16, serde_json::Value), String> {
    let body = body.to_string();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.get_mut()
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let (status, bytes) = read_full_response(conn).await?;
    let v = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Ok((status, v))
}

/// One lifecycle through the same calls the API makes: returns the number of write transactions
/// and of notices numbered (each a counter row).
async fn lifecycle(
    store: &Store,
    guide: &ItemGuide,
    version: i64,
    users: &[tongban_store::accounts::User; 3],
) -> Result<(usize, usize), String> {
    use tongban_domain::cases::{self, ApplicationForm, Command, Context};
    use tongban_domain::catalog::StepActor;
    let [applicant, clerk, approver] = users;
    let case = store
        .create_case(&applicant.username, |id, now| {
            cases::new_draft(cases::NewCase {
                id,
                guide,
                item_version: version,
                applicant: applicant.username.clone(),
                applicant_name: applicant.display_name.clone(),
                applicant_id_number: String::new(),
                proxy: None,
                form: ApplicationForm {
                    contact_name: "基准".into(),
                    contact_phone: "13800138000".into(),
                    address: String::new(),
                    details: "基准测试".into(),
                    fields: Default::default(),
                },
                now,
            })
        })
        .await
        .map_err(|e| e.to_string())?;
    let mut steps = vec![
        (applicant, Command::Submit),
        (
            clerk,
            Command::Accept {
                commitments: vec![],
            },
        ),
    ];
    for s in &case.process.review {
        let who = if s.actor == StepActor::Approver {
            approver
        } else {
            clerk
        };
        steps.push((
            who,
            Command::CompleteStep {
                opinion: "符合".into(),
            },
        ));
    }
    let decider = if case.process.decision.actor == StepActor::Approver {
        approver
    } else {
        clerk
    };
    steps.push((
        decider,
        Command::Approve {
            reasons: "符合法定条件".into(),
        },
    ));
    steps.push((clerk, Command::Issue));
    let writes = 1 + steps.len();
    let mut notices = 0;
    for (who, cmd) in steps {
        let detail = serde_json::to_value(&cmd).expect("commands serialise");
        store
            .change_case(
                &who.username,
                &case.id,
                cmd.name(),
                Some(&detail),
                |c, cal, now| {
                    let ctx = Context {
                        now,
                        calendar: cal,
                        standing: Default::default(),
                    };
                    cases::apply(c, &cmd, &tongban_web::cases::actor(who), &ctx)
                },
            )
            .await
            .map_err(|e| format!("{}: {e}", cmd.name()))
            .map(|c| notices = c.notices.len())?;
    }
    Ok((writes, notices))
}

async fn cases_bench(n: usize, database_url: Option<String>) -> Result<(), String> {
    use tongban_domain::cases::ClockView;
    let (scratch, url) = bench_store_url(database_url)?;
    let store = Store::open(&url)
        .await
        .map_err(|e| e.to_string())?
        .with_files(scratch.join("files"));
    crate::demo::load_if_empty(&store).await?;
    let item = store
        .published_item(BENCH_ITEM)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo item missing")?;
    let user = |name: &'static str| {
        let store = store.clone();
        async move {
            store
                .user(name)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("demo user {name} missing"))
        }
    };
    let users = [
        user("company").await?,
        user("clerk.spj").await?,
        user("approver.spj").await?,
    ];
    // Warm up, then time the lifecycles one after another (as a unit's clerks would).
    for _ in 0..n / 10 {
        lifecycle(&store, &item.guide, item.version, &users).await?;
    }
    let inbox = ["user:company".to_string(), "unit:XH-SPJ".to_string()];
    let inbox_before = store
        .inbox(&inbox, i64::MAX)
        .await
        .map_err(|e| e.to_string())?
        .len();
    let started = Instant::now();
    let (mut writes, mut notices) = (0, 0);
    for _ in 0..n {
        let (w, k) = lifecycle(&store, &item.guide, item.version, &users).await?;
        writes += w;
        notices += k;
    }
    let life = started.elapsed();
    let messages = store
        .inbox(&inbox, i64::MAX)
        .await
        .map_err(|e| e.to_string())?
        .len()
        - inbox_before;
    // Rows the lifecycles wrote: the case row and an audit entry per change, the inbox messages,
    // and a notice-number counter per notice.
    let rows_written = 2 * writes + messages + notices;

    // The physical limit: as many single-row inserts as the lifecycles wrote rows, one
    // transaction each.
    store
        .raw_execute(tongban_store::sqlx::query(
            "CREATE TABLE bench_raw_inserts (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)",
        ))
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    for i in 0..rows_written {
        store
            .raw_execute(
                tongban_store::sqlx::query(
                    "INSERT INTO bench_raw_inserts (id, payload) VALUES ($1, $2)",
                )
                .bind(i as i64)
                .bind("基准测试 payload of a modest size, like a short audit entry"),
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    let raw = started.elapsed();
    store
        .raw_execute(tongban_store::sqlx::query("DROP TABLE bench_raw_inserts"))
        .await
        .map_err(|e| e.to_string())?;

    // One deadline: add N working days, and a whole clock view of a case under review.
    let cal = store.calendar();
    let from: jiff::civil::Date = "2026-01-05".parse().expect("date");
    let reps = 1_000_000u32;
    let started = Instant::now();
    let mut sink = 0i64;
    for i in 0..reps {
        let d = cal
            .add_working_days(from, 1 + i % 200)
            .map_err(|e| e.to_string())?;
        sink += i64::from(d.day());
    }
    let add = started.elapsed() / reps;
    let (rows, _) = store
        .list_cases(
            &tongban_store::cases::CaseFilter::default(),
            tongban_store::Page {
                page: 1,
                per_page: 1,
            },
        )
        .await
        .map_err(|e| e.to_string())?;
    let mut case = rows.first().ok_or("no case")?.case.clone();
    case.decision = None;
    case.closed_at = None;
    let now = store.now();
    let reps_view = 100_000u32;
    let started = Instant::now();
    for _ in 0..reps_view {
        let v = ClockView::compute(&case, now, &cal).map_err(|e| e.to_string())?;
        sink += v.legal_left.unwrap_or(0);
    }
    let view = started.elapsed() / reps_view;
    std::hint::black_box(sink);

    let life_rate = n as f64 / life.as_secs_f64();
    let write_rate = writes as f64 / life.as_secs_f64();
    let row_rate = rows_written as f64 / life.as_secs_f64();
    let raw_rate = rows_written as f64 / raw.as_secs_f64();
    println!(
        "tongban bench cases: {n} lifecycles ({:?} store): {} write transactions and {:.1} rows each",
        store.backend(),
        writes / n,
        rows_written as f64 / n as f64
    );
    println!("  lifecycles                      {life_rate:>10.1} /s");
    println!(
        "  write transactions              {write_rate:>10.1} /s   (each with its audit entry)"
    );
    println!("  rows written by the lifecycles  {row_rate:>10.1} /s");
    println!(
        "  plain single-row inserts        {raw_rate:>10.1} /s   (one transaction each, {rows_written} rows)"
    );
    println!(
        "  ratio, rows written / plain inserts: {:.2}   per write transaction: {:.2}   per lifecycle: {:.3}",
        row_rate / raw_rate,
        write_rate / raw_rate,
        life_rate / raw_rate
    );
    println!(
        "  one deadline (add_working_days): {} ns   a whole clock view of a case: {} ns",
        add.as_nanos(),
        view.as_nanos()
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// 公共场所卫生许可: a licence with a review step and an approver's decision.
const BENCH_ITEM: &str = "XH-SPJ-000101007000";

/// Drives one case to its end as the staff of its unit would: accept, review steps, decide,
/// issue. `staff` maps a unit to its clerk and approver.
async fn drive_case(
    store: &Store,
    id: &str,
    staff: &std::collections::HashMap<String, [tongban_store::accounts::User; 2]>,
) -> Result<usize, String> {
    use tongban_domain::cases::{self, Command, Context};
    let mut writes = 0;
    let mut case = store
        .case(id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("case vanished")?
        .case;
    loop {
        let Some(people) = staff.get(&case.unit) else {
            return Err(format!("no staff for {}", case.unit));
        };
        let mut acted = false;
        for who in people {
            let cal = store.calendar();
            let ctx = Context {
                now: store.now(),
                calendar: &cal,
                standing: Default::default(),
            };
            let allowed = cases::allowed_actions(&case, &tongban_web::cases::actor(who), &ctx);
            let cmd = if allowed.contains(&"accept") {
                Command::Accept {
                    commitments: vec![],
                }
            } else if allowed.contains(&"complete_step") {
                Command::CompleteStep {
                    opinion: "符合".into(),
                }
            } else if allowed.contains(&"approve") {
                Command::Approve {
                    reasons: "符合法定条件".into(),
                }
            } else if allowed.contains(&"issue") {
                Command::Issue
            } else {
                continue;
            };
            let detail = serde_json::to_value(&cmd).expect("commands serialise");
            case = store
                .change_case(
                    &who.username,
                    id,
                    cmd.name(),
                    Some(&detail),
                    |c, cal, now| {
                        let ctx = Context {
                            now,
                            calendar: cal,
                            standing: Default::default(),
                        };
                        cases::apply(c, &cmd, &tongban_web::cases::actor(who), &ctx)
                    },
                )
                .await
                .map_err(|e| format!("{id} {}: {e}", cmd.name()))?;
            writes += 1;
            acted = true;
            break;
        }
        if !acted {
            return Ok(writes);
        }
    }
}

async fn bundles_bench(n: usize, database_url: Option<String>) -> Result<(), String> {
    use tongban_domain::bundles::startup::{
        CompanyType, InvoiceNeed, Person, SealChoice, Shareholder,
    };
    use tongban_domain::bundles::{BundleState, StartupForm};
    let (scratch, url) = bench_store_url(database_url)?;
    let store = Store::open(&url)
        .await
        .map_err(|e| e.to_string())?
        .with_files(scratch.join("files"));
    crate::demo::load_base_if_empty(&store).await?;
    let state = tongban_web::AppState {
        store: store.clone(),
        config: Default::default(),
    };
    // Every unit's clerk and approver, from the demo accounts.
    let mut staff: std::collections::HashMap<String, [tongban_store::accounts::User; 2]> =
        Default::default();
    let users = store.users().await.map_err(|e| e.to_string())?;
    for clerk in users.iter().filter(|u| u.role == Role::Clerk) {
        let unit = clerk.unit.clone().unwrap_or_default();
        if let Some(approver) = users
            .iter()
            .find(|u| u.role == Role::Approver && u.unit.as_deref() == Some(unit.as_str()))
        {
            staff.insert(unit, [clerk.clone(), approver.clone()]);
        }
    }
    let founder = store
        .user("citizen")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo user citizen missing")?;
    let form = |i: usize| StartupForm {
        company_name: format!("南昌市西湖区基准{i:05}科技有限公司"),
        company_type: CompanyType::LimitedLiability,
        registered_capital_fen: 100_000_000,
        domicile: "南昌市西湖区中山西路100号".into(),
        business_scope: "软件开发".into(),
        legal_representative: Person {
            name: "陈志强".into(),
            id_number: "360103199003120276".into(),
            phone: "13807910001".into(),
        },
        shareholders: vec![Shareholder {
            name: "陈志强".into(),
            id_number: "360103199003120276".into(),
            contribution_fen: 100_000_000,
        }],
        staff: 3,
        seal: SealChoice::FreeSet,
        invoices: InvoiceNeed::Ordinary,
        first_invoices: 10,
        social_insurance: true,
        housing_fund: true,
        bank: "江西银行西湖支行".into(),
    };
    // One bundle end to end: start it, then drive every part as soon as it has started.
    let run_bundle = |i: usize| {
        let (state, staff, founder, store) =
            (state.clone(), staff.clone(), founder.clone(), store.clone());
        async move {
            let b = tongban_web::bundles::start_startup(&state, &founder, form(i))
                .await
                .map_err(|e| format!("{e:?}"))?;
            let mut done = std::collections::HashSet::new();
            let mut writes = 1;
            loop {
                let b = store
                    .bundle(&b.id)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("bundle vanished")?
                    .bundle;
                let ready: Vec<String> = b
                    .parts
                    .iter()
                    .filter_map(|p| p.case_id.clone())
                    .filter(|id| !done.contains(id))
                    .collect();
                if ready.is_empty() {
                    if b.state != BundleState::Done {
                        return Err(format!("bundle {} ended {:?}", b.id, b.state));
                    }
                    return Ok::<(usize, usize), String>((b.parts.len(), writes));
                }
                for id in ready {
                    writes += drive_case(&store, &id, &staff).await?;
                    done.insert(id);
                }
            }
        }
    };
    let item = store
        .published_item(BENCH_ITEM)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("demo item missing")?;
    let people = [
        founder.clone(),
        staff["XH-SPJ"][0].clone(),
        staff["XH-SPJ"][1].clone(),
    ];
    // Warm up both, then time them one after another in the same run.
    run_bundle(1_000_000).await?;
    lifecycle(&store, &item.guide, item.version, &people).await?;
    let started = Instant::now();
    let (mut parts, mut bundle_writes) = (0, 0);
    for i in 0..n {
        let (p, w) = run_bundle(i).await?;
        parts += p;
        bundle_writes += w;
    }
    let bundles_time = started.elapsed();
    let singles = parts;
    let started = Instant::now();
    let mut single_writes = 0;
    for _ in 0..singles {
        single_writes += lifecycle(&store, &item.guide, item.version, &people)
            .await?
            .0;
    }
    let single_time = started.elapsed();
    let per_bundle = bundles_time.as_secs_f64() / n as f64;
    let per_case = single_time.as_secs_f64() / singles as f64;
    let parts_per_bundle = parts as f64 / n as f64;
    println!(
        "tongban bench bundles: {n} start-up bundles of {parts_per_bundle:.1} parts ({:?} store)",
        store.backend()
    );
    println!(
        "  bundles completed end to end   {:>8.2} /s   ({:.1} write transactions each)",
        1.0 / per_bundle,
        bundle_writes as f64 / n as f64
    );
    println!(
        "  single-case lifecycles         {:>8.2} /s   ({:.1} write transactions each)",
        1.0 / per_case,
        single_writes as f64 / singles as f64
    );
    println!(
        "  ratio: one bundle costs {:.2} single cases for {parts_per_bundle:.1} parts ({:.2} per part)",
        per_bundle / per_case,
        per_bundle / per_case / parts_per_bundle
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

async fn hotline_bench(
    n: usize,
    intake: usize,
    queries: usize,
    database_url: Option<String>,
) -> Result<(), String> {
    let (scratch, url) = bench_store_url(database_url)?;
    let store = Store::open(&url)
        .await
        .map_err(|e| e.to_string())?
        .with_files(scratch.join("files"));
    crate::demo::load_base_if_empty(&store).await?;
    let token = format!("tb_{}", tongban_web::auth::random_token());
    store
        .create_api_token(
            "bench",
            "operator",
            "bench",
            "tok_bench_op",
            &tongban_web::auth::sha256_hex(&token),
        )
        .await
        .map_err(|e| e.to_string())?;
    let auth = format!("Bearer {token}");
    let running = crate::spawn(store.clone(), "127.0.0.1:0", Default::default())
        .await
        .map_err(|e| e.to_string())?;
    let bare = bare_server().await.map_err(|e| e.to_string())?;

    // Intake and dispatch through the API, over one keep-alive connection.
    let stream = TcpStream::connect(running.addr)
        .await
        .map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut conn = BufReader::new(stream);
    let matters = [
        "小区门口路灯不亮",
        "夜间施工噪音扰民",
        "餐馆食品过期",
        "社保缴费咨询",
        "发票申领咨询",
    ];
    let started = Instant::now();
    let mut template = serde_json::Value::Null;
    for i in 0..intake {
        let body = serde_json::json!({"category": "complaint", "matter": matters[i % matters.len()],
            "location": {"address": "西湖区朝阳中路88号"}, "street": "XH-NP"});
        let (status, v) = call(&mut conn, "POST", "/api/v1/hotline/tickets", &auth, &body).await?;
        if status != 201 {
            return Err(format!("intake answered {status}: {v}"));
        }
        let id = v["item"]["id"].as_str().ok_or("no id")?.to_string();
        let lead = v["item"]["suggestions"][0]["lead"]
            .as_str()
            .unwrap_or("XH-NP")
            .to_string();
        let (status, v) = call(
            &mut conn,
            "POST",
            &format!("/api/v1/hotline/tickets/{id}/actions"),
            &auth,
            &serde_json::json!({"action": "dispatch", "lead": lead}),
        )
        .await?;
        if status != 200 {
            return Err(format!("dispatch answered {status}: {v}"));
        }
        template = v["item"].clone();
    }
    let intake_time = started.elapsed();

    // The big table: generated tickets spread over the past year, inserted 500 to a statement.
    let routes = store.routes().await.map_err(|e| e.to_string())?;
    let now = store.now();
    let started = Instant::now();
    let mut obj = template;
    if let Some(m) = obj.as_object_mut() {
        m.remove("suggestions");
        m.remove("allowed_actions");
    }
    let mut i = 0usize;
    while i < n {
        let mut w = store
            .begin_write("bench")
            .await
            .map_err(|e| e.to_string())?;
        for _ in 0..20 {
            if i >= n {
                break;
            }
            let rows = 500.min(n - i);
            let mut text = String::from(
                "INSERT INTO hotline_tickets (id, token, source, category, state, business, lead, service_code, \
                 filed_by, received_at, updated_at, reply_due, ticket_json, units) VALUES ",
            );
            let mut values = Vec::with_capacity(rows * 14);
            for r in 0..rows {
                let k = i + r;
                let route = &routes[k % routes.len()];
                let at = now
                    - jiff::SignedDuration::from_secs((k as i64 * 31_536_000) / n.max(1) as i64);
                let at_s = tongban_store::rfc3339(at);
                let id = format!("B{k:09}");
                let state = if k % 3 == 0 { "dispatched" } else { "closed" };
                let mut t = obj.clone();
                t["id"] = serde_json::json!(id);
                t["received_at"] = serde_json::json!(at.to_string());
                t["service_code"] = serde_json::json!(route.code);
                t["state"] = serde_json::json!(state);
                t["lead"] = serde_json::json!(route.lead);
                let base = r * 14;
                text.push_str(&format!(
                    "{}(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    if r == 0 { "" } else { ", " },
                    base + 1,
                    base + 2,
                    base + 3,
                    base + 4,
                    base + 5,
                    base + 6,
                    base + 7,
                    base + 8,
                    base + 9,
                    base + 10,
                    base + 11,
                    base + 12,
                    base + 13,
                    base + 14
                ));
                values.push(serde_json::json!([
                    id,
                    format!("bench{k}"),
                    "open311",
                    "complaint",
                    state,
                    0,
                    route.lead,
                    route.code,
                    "bench",
                    at_s,
                    at_s,
                    serde_json::Value::Null,
                    t.to_string(),
                    format!(",{},", route.lead)
                ]));
            }
            let mut q = tongban_store::sqlx::query(tongban_store::sqlx::AssertSqlSafe(text));
            for v in &values {
                for (j, x) in v.as_array().expect("row").iter().enumerate() {
                    q = match (j, x) {
                        (5, _) => q.bind(0i64),
                        (_, serde_json::Value::Null) => q.bind(None::<String>),
                        (_, x) => q.bind(x.as_str().unwrap_or_default().to_string()),
                    };
                }
            }
            q.execute(w.conn()).await.map_err(|e| e.to_string())?;
            i += rows;
        }
        w.commit().await.map_err(|e| e.to_string())?;
    }
    let load = started.elapsed();

    // Open311 list queries over the table: by service and status, by ids, by a date range,
    // and the default (the last 90 days).
    let day = |d: i64| tongban_store::rfc3339(now - jiff::SignedDuration::from_hours(24 * d));
    let range = format!(
        "/open311/v2/requests.json?start_date={}&end_date={}",
        day(200).replace('+', "%2B"),
        day(190).replace('+', "%2B")
    );
    let paths = [
        "/open311/v2/requests.json?service_code=noise&status=open".to_string(),
        "/open311/v2/requests.json?service_request_id=B000000010,B000000020,B000000030".to_string(),
        range,
        "/open311/v2/requests.json".to_string(),
        "/open311/v2/requests.xml?service_code=street-light".to_string(),
    ];
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let times = time_requests(running.addr, &refs, queries, None).await?;
    let baseline = time_requests(bare, &["/"], queries, None).await?;
    let (p50, p99) = (percentile(&times, 50), percentile(&times, 99));
    let (b50, b99) = (percentile(&baseline, 50), percentile(&baseline, 99));
    println!(
        "tongban bench hotline: {n} tickets in the table ({:?} store)",
        store.backend()
    );
    println!(
        "  intake + dispatch through the API: {:.1} tickets/s ({intake} tickets, two requests each)",
        intake as f64 / intake_time.as_secs_f64()
    );
    println!("  table load: {:.1} s", load.as_secs_f64());
    println!(
        "  Open311 list queries (≤ {} requests each) p50 {:>8.3} ms   p99 {:>8.3} ms",
        tongban_web::open311::MAX_REQUESTS,
        ms(p50),
        ms(p99)
    );
    println!(
        "  bare axum handler                  p50 {:>8.3} ms   p99 {:>8.3} ms",
        ms(b50),
        ms(b99)
    );
    println!(
        "  ratio Open311 / bare: p50 {:.1}x   p99 {:.1}x",
        p50.as_secs_f64() / b50.as_secs_f64(),
        p99.as_secs_f64() / b99.as_secs_f64()
    );
    running.stop().await;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
