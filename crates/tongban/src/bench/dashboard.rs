//! The dashboard over a long history (`tongban bench dashboard`): millions of generated cases,
//! ratings and hotline tickets over two years, kept both as compact raw rows and as the tallies
//! their writes would have left. It times the whole board read from the tallies beside one
//! full-scan recount of the raw rows (which must give the same sums), then the pages under 64
//! concurrent clients beside `/healthz` and a bare axum handler.
//!
//! The raw rows are a few integers each, not the JSON documents the real records are, so the
//! scan measured here is a lower bound of what scanning the real records costs.

use super::*;
use std::collections::HashMap;
use tongban_domain::dashboard::tally::Metric;
use tongban_domain::dashboard::{Month, Period};

/// One generated record: its kind (0 case, 1 rating, 2 hotline ticket), unit, month and what
/// it holds (flags, and for a case its working days in hundredths and its visits).
struct Rec {
    kind: i64,
    unit: usize,
    month: Month,
    flags: i64,
    days: i64,
    visits: i64,
}

const LEGAL: i64 = 1;
const PROMISED: i64 = 2;
const ONLINE: i64 = 4;
const ISSUED: i64 = 8;
const GOOD: i64 = 1;
const ON_TIME: i64 = 1;
const CALLED_BACK: i64 = 2;
const SATISFIED: i64 = 4;

/// A cheap, well-spread hash of `k` (splitmix64): the generator's dice.
fn mix(k: u64) -> u64 {
    let mut z = k.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn generate(k: u64, kind: i64, units: usize, months: &[Month]) -> Rec {
    let h = mix(k * 4 + kind as u64);
    let pct = |shift: u32| (h >> shift) % 100;
    let flags = match kind {
        0 => {
            i64::from(pct(8) < 97) * LEGAL
                | i64::from(pct(16) < 90) * PROMISED
                | i64::from(pct(24) < 65) * ONLINE
                | i64::from(pct(32) < 95) * ISSUED
        }
        1 => i64::from(pct(8) < 96) * GOOD,
        _ => {
            let called = pct(16) < 80;
            i64::from(pct(8) < 92) * ON_TIME
                | i64::from(called) * CALLED_BACK
                | i64::from(called && pct(24) < 90) * SATISFIED
        }
    };
    Rec {
        kind,
        unit: (h % units as u64) as usize,
        month: months[((h >> 40) % months.len() as u64) as usize],
        flags,
        days: (50 + (h >> 48) % 950) as i64,
        visits: ((h >> 56) % 3) as i64 * i64::from(flags & ONLINE == 0),
    }
}

/// What a record adds to the tallies: the same cells its real write would add (a case's
/// promised limit is taken as five working days).
fn cells(r: &Rec, out: &mut impl FnMut(Metric, i64, i64)) {
    let on = |f: i64| i64::from(r.flags & f != 0);
    match r.kind {
        0 => {
            out(Metric::CaseFinished, 1, 0);
            out(Metric::CaseOnTimeLegal, on(LEGAL), 0);
            out(Metric::CaseOnTimePromised, on(PROMISED), 0);
            out(Metric::CaseUsedDays, 0, r.days);
            out(Metric::CaseFullyOnline, on(ONLINE), 0);
            out(Metric::CaseVisits, 0, r.visits * 100);
            out(Metric::CasePromisedDays, 0, 500);
            out(Metric::RatingServices, on(ISSUED), 0);
        }
        1 => {
            out(Metric::RatedAll, 1, 0);
            out(Metric::Rated, 1, 0);
            out(Metric::RatedGood, on(GOOD), 0);
        }
        _ => {
            out(Metric::HotlineReplies, 1, 0);
            out(Metric::HotlineRepliesOnTime, on(ON_TIME), 0);
            out(Metric::HotlineReplied, 1, 0);
            out(Metric::HotlineCalledBack, on(CALLED_BACK), 0);
            out(Metric::HotlineCallbacks, on(CALLED_BACK), 0);
            out(Metric::HotlineCallbacksSatisfied, on(SATISFIED), 0);
        }
    }
}

type Sums = HashMap<(Metric, usize, Month), (i64, i64)>;

fn add(sums: &mut Sums, r: &Rec) {
    cells(r, &mut |m, n, a| {
        if n != 0 || a != 0 {
            let e = sums.entry((m, r.unit, r.month)).or_default();
            e.0 += n;
            e.1 += a;
        }
    });
}

/// Inserts rows of `cols` values, 500 to a statement, in writes of 20 statements.
async fn insert_rows(
    store: &Store,
    table: &str,
    cols: &[&str],
    rows: impl Iterator<Item = Vec<Value>>,
) -> Result<(), String> {
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let mut w = store
            .begin_write("bench")
            .await
            .map_err(|e| e.to_string())?;
        for _ in 0..20 {
            let batch: Vec<Vec<Value>> = rows.by_ref().take(500).collect();
            if batch.is_empty() {
                break;
            }
            let mut text = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
            for (r, _) in batch.iter().enumerate() {
                let params: Vec<String> = (1..=cols.len())
                    .map(|c| format!("${}", r * cols.len() + c))
                    .collect();
                text.push_str(&format!(
                    "{}({})",
                    if r == 0 { "" } else { ", " },
                    params.join(", ")
                ));
            }
            let mut q = tongban_store::sqlx::query(tongban_store::sqlx::AssertSqlSafe(text));
            for v in batch.into_iter().flatten() {
                q = match v {
                    Value::I(i) => q.bind(i),
                    Value::S(s) => q.bind(s),
                };
            }
            q.execute(w.conn()).await.map_err(|e| e.to_string())?;
        }
        w.commit().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

enum Value {
    I(i64),
    S(String),
}

/// GETs of `path` from `clients` connections at once, `each` per connection: requests per
/// second and the latencies sorted.
async fn under_load(
    addr: std::net::SocketAddr,
    path: &str,
    clients: usize,
    each: usize,
    auth: Option<&str>,
) -> Result<(f64, Vec<Duration>), String> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (path, auth) = (path.to_string(), auth.map(str::to_string));
        tasks.push(tokio::spawn(async move {
            time_requests(addr, &[&path], each, auth.as_deref()).await
        }));
    }
    let mut all = Vec::with_capacity(clients * each);
    for t in tasks {
        all.extend(t.await.map_err(|e| e.to_string())??);
    }
    // Each connection also sent a tenth as many warm-up requests.
    let rate = (clients * (each + each / 10)) as f64 / started.elapsed().as_secs_f64();
    all.sort();
    Ok((rate, all))
}

pub(super) async fn dashboard_bench(
    cases: usize,
    clients: usize,
    requests: usize,
    database_url: Option<String>,
) -> Result<(), String> {
    let (scratch, store) = super::bench_store(database_url, false).await?;
    let auth = bearer_for(&store, "supervisor").await?;
    let units: Vec<String> = store
        .units()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|u| u.parent.is_some())
        .map(|u| u.code)
        .collect();
    let this = Month::of(tongban_domain::cases::local_date(store.now()));
    let months: Vec<Month> = Period::Year(this.year() - 1)
        .each_month()
        .into_iter()
        .chain(Period::Year(this.year()).each_month())
        .filter(|m| *m <= this)
        .collect();

    // The records: cases, a quarter as many ratings, a tenth as many hotline tickets.
    let (ratings, tickets) = (cases / 4, cases / 10);
    let started = Instant::now();
    let mut sums = Sums::new();
    let all = (0..cases as u64)
        .map(|k| (k, 0))
        .chain((0..ratings as u64).map(|k| (k, 1)))
        .chain((0..tickets as u64).map(|k| (k, 2)));
    {
        let mut id = 0i64;
        let rows = all.map(|(k, kind)| {
            let r = generate(k, kind, units.len(), &months);
            add(&mut sums, &r);
            id += 1;
            vec![
                Value::I(id),
                Value::I(r.kind),
                Value::I(r.unit as i64),
                Value::I(i64::from(r.month.0)),
                Value::I(r.flags),
                Value::I(r.days),
                Value::I(r.visits),
            ]
        });
        let mut w = store
            .begin_write("bench")
            .await
            .map_err(|e| e.to_string())?;
        tongban_store::sqlx::query(
            "CREATE TABLE bench_records (id BIGINT PRIMARY KEY, kind BIGINT, unit BIGINT,
             month BIGINT, flags BIGINT, days BIGINT, visits BIGINT)",
        )
        .execute(w.conn())
        .await
        .map_err(|e| e.to_string())?;
        w.commit().await.map_err(|e| e.to_string())?;
        insert_rows(
            &store,
            "bench_records",
            &["id", "kind", "unit", "month", "flags", "days", "visits"],
            rows,
        )
        .await?;
    }
    let tally_rows = sums.len();
    insert_rows(
        &store,
        "tallies",
        &["metric", "unit", "month", "n", "amount"],
        sums.iter().map(|((m, u, month), (n, a))| {
            vec![
                Value::S(m.as_str().to_string()),
                Value::S(units[*u].clone()),
                Value::I(i64::from(month.0)),
                Value::I(*n),
                Value::I(*a),
            ]
        }),
    )
    .await?;
    let load = started.elapsed();

    // The whole board read from the tallies, for each kind of period and for a street.
    let street = store
        .units()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|u| u.level == tongban_domain::catalog::Level::Street)
        .map(|u| u.code)
        .ok_or("the demo has streets")?;
    let all_units = store.units().await.map_err(|e| e.to_string())?;
    let street_scope =
        tongban_app::dashboard::Scope::of(&street, &all_units).map_err(|e| e.to_string())?;
    let district = tongban_app::dashboard::Scope::district();
    let q = (this.month() as i8 - 1) / 3 + 1;
    let boards = [
        ("district, this year", Period::Year(this.year()), &district),
        (
            "district, this quarter",
            Period::Quarter(this.year(), q),
            &district,
        ),
        ("district, this month", Period::Month(this), &district),
        (
            "a street, this year",
            Period::Year(this.year()),
            &street_scope,
        ),
    ];
    let mut board_times = Vec::new();
    for (name, period, scope) in boards {
        // Cold: as after a write (every sum read from the database); warm: as read before.
        for cold in [true, false] {
            let mut times = Vec::new();
            for _ in 0..22 {
                if cold {
                    store.forget_cached_reads();
                }
                let t = Instant::now();
                let rows = tongban_app::dashboard::board(&store, period, scope)
                    .await
                    .map_err(|e| e.to_string())?;
                times.push(t.elapsed());
                if rows.len() != tongban_domain::dashboard::indicators::ALL.len() {
                    return Err("the board lacks indicators".into());
                }
            }
            // The first two warm the database's pages.
            let mut times = times.split_off(2);
            times.sort();
            let how = if cold { "cold" } else { "warm" };
            board_times.push((format!("{name}, {how}"), times));
        }
    }

    // One full scan of every raw record, summed the same way.
    let started = Instant::now();
    let mut counted = Sums::new();
    {
        use tongban_store::sqlx::Row;
        // Read in key order, a hundred thousand rows at a time, in one transaction.
        let mut w = store
            .begin_write("bench")
            .await
            .map_err(|e| e.to_string())?;
        let mut after = 0i64;
        loop {
            let rows = tongban_store::sqlx::query(
                "SELECT id, kind, unit, month, flags, days, visits FROM bench_records
                 WHERE id > $1 ORDER BY id LIMIT 100000",
            )
            .bind(after)
            .fetch_all(w.conn())
            .await
            .map_err(|e| e.to_string())?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let get = |c: &str| row.try_get::<i64, _>(c).map_err(|e| e.to_string());
                after = get("id")?;
                let r = Rec {
                    kind: get("kind")?,
                    unit: get("unit")? as usize,
                    month: Month(get("month")? as i32),
                    flags: get("flags")?,
                    days: get("days")?,
                    visits: get("visits")?,
                };
                add(&mut counted, &r);
            }
        }
        w.commit().await.map_err(|e| e.to_string())?;
    }
    let scan = started.elapsed();
    if counted != sums {
        return Err("the recount differs from the tallies".into());
    }

    // The pages under load.
    let running = crate::spawn(store.clone(), "127.0.0.1:0", Default::default())
        .await
        .map_err(|e| e.to_string())?;
    let bare = bare_server().await.map_err(|e| e.to_string())?;
    let each = (requests / clients).max(1);
    let year = this.year();
    let dash = format!("/dashboard?period={year}");
    let api = format!("/api/v1/dashboard?period={year}");
    let targets: [(&str, std::net::SocketAddr, Option<&str>); 7] = [
        (&dash, running.addr, Some(&auth)),
        (&api, running.addr, Some(&auth)),
        ("/reviews", running.addr, None),
        ("/indicators/cases", running.addr, None),
        ("/api/v1/indicators/cases", running.addr, None),
        ("/healthz", running.addr, None),
        ("/", bare, None),
    ];
    let mut loads = Vec::new();
    for (path, addr, auth) in targets {
        let (rate, times) = under_load(addr, path, clients, each, auth).await?;
        let name = if addr == bare {
            "bare axum handler"
        } else {
            path
        };
        loads.push((name.to_string(), rate, times));
    }
    running.stop().await;

    println!(
        "tongban bench dashboard: {cases} cases, {ratings} ratings, {tickets} hotline tickets over {} months and {} units ({:?} store)",
        months.len(),
        units.len(),
        store.backend()
    );
    println!(
        "  generate and load the raw rows and {tally_rows} tally rows: {:.1} s",
        load.as_secs_f64()
    );
    for (name, times) in &board_times {
        println!(
            "  whole board (22 indicators with last year and target), {name:<30} p50 {:>8.2} ms   p99 {:>8.2} ms",
            ms(percentile(times, 50)),
            ms(percentile(times, 99))
        );
    }
    println!(
        "  full-scan recount of every raw record (same sums): {:>10.0} ms",
        ms(scan)
    );
    println!("  HTTP, {clients} concurrent clients, {each} requests each:");
    for (name, rate, times) in &loads {
        println!(
            "    {name:<34} {rate:>9.0} req/s   p50 {:>8.2} ms   p99 {:>8.2} ms",
            ms(percentile(times, 50)),
            ms(percentile(times, 99))
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
