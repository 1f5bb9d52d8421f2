//! `tongban bench cluster`: one, two and four `tongban serve` processes on one PostgreSQL, under a
//! mixed load — public reads (catalog search, an item's guide, the ratings' and the cases'
//! statistics), applicants' drafts and clerks recording window visits — from concurrent
//! keep-alive clients spread over the servers; throughput and latency per server count, beside
//! a bare axum handler answered from this process under the same clients.
//!
//! Everything runs on this one machine: the servers, PostgreSQL and the clients share its cores,
//! so the figures say what one machine holds and how the servers share it, not how a cluster of
//! machines scales.

use super::{bare_server, bearer_for, ms, percentile, read_full_response};
use std::time::{Duration, Instant};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const READS: [&str; 4] = [
    "/api/v1/items?q=%E5%85%AC%E7%AB%A0",
    "/api/v1/items/XH-SPJ-000101001000",
    "/api/v1/reviews/stats",
    "/api/v1/indicators/cases",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Read,
    Draft,
    Visit,
}

/// Seven reads, two drafts and one clerk's visit in every ten requests.
fn op(i: usize) -> Op {
    match i % 10 {
        0 | 5 => Op::Draft,
        7 => Op::Visit,
        _ => Op::Read,
    }
}

struct Server {
    child: std::process::Child,
    addr: std::net::SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `tongban serve` on `url` and waits for the address it prints.
fn start_server(url: &str, scratch: &std::path::Path) -> Result<Server, String> {
    use std::io::BufRead;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = std::process::Command::new(exe)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            url,
            "--data",
        ])
        .arg(scratch)
        // Access logs off: the figures are the server's, not the log pipe's.
        .env("TONGBAN_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("piped")).lines();
    let addr = loop {
        let line = lines
            .next()
            .ok_or("the server ended before serving")?
            .map_err(|e| e.to_string())?;
        if let Some(a) = line.strip_prefix("tongban: serving on http://") {
            break a.parse().map_err(|_| format!("address {a}"))?;
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok(Server { child, addr })
}

/// What the clients measured in one run.
struct Run {
    took: Duration,
    times: Vec<(Op, Duration)>,
    failed: usize,
}

async fn request(
    conn: &mut BufReader<TcpStream>,
    method: &str,
    path: &str,
    auth: &str,
    body: &str,
) -> Result<u16, String> {
    let head = if method == "GET" {
        format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n")
    } else {
        format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    conn.get_mut()
        .write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    Ok(read_full_response(conn).await?.0)
}

/// `clients` keep-alive clients, client `c` on `addrs[c % n]`, each sending the mix for `secs`
/// (`bare`: plain GETs of `/` instead).
async fn load(
    addrs: &[std::net::SocketAddr],
    clients: usize,
    secs: u64,
    company: &str,
    clerk: &str,
    bare: bool,
) -> Result<Run, String> {
    let started = Instant::now();
    let until = started + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let addr = addrs[c % addrs.len()];
        let (company, clerk) = (company.to_string(), clerk.to_string());
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
            stream.set_nodelay(true).map_err(|e| e.to_string())?;
            let mut conn = BufReader::new(stream);
            let draft = serde_json::json!({"item_code": "XH-SPJ-000101007000", "form": {
                "contact_name": "压力测试", "contact_phone": "13800138000", "details": "cluster bench"}})
            .to_string();
            let visit = r#"{"item_code":"XH-SPJ-000101001000"}"#;
            let mut times = Vec::new();
            let mut failed = 0usize;
            let mut i = c;
            while Instant::now() < until {
                let kind = if bare { Op::Read } else { op(i) };
                let t = Instant::now();
                let status = match (bare, kind) {
                    (true, _) => request(&mut conn, "GET", "/", "", "").await?,
                    (_, Op::Read) => request(&mut conn, "GET", READS[i % READS.len()], "", "").await?,
                    (_, Op::Draft) => request(&mut conn, "POST", "/api/v1/cases", &company, &draft).await?,
                    (_, Op::Visit) => request(&mut conn, "POST", "/api/v1/visits", &clerk, visit).await?,
                };
                let took = t.elapsed();
                if (200..300).contains(&status) {
                    times.push((kind, took));
                } else {
                    failed += 1;
                }
                i += 1;
            }
            Ok::<_, String>((times, failed))
        }));
    }
    let mut run = Run {
        took: Duration::ZERO,
        times: Vec::new(),
        failed: 0,
    };
    for t in tasks {
        let (times, failed) = t.await.map_err(|e| e.to_string())??;
        run.times.extend(times);
        run.failed += failed;
    }
    run.took = started.elapsed();
    Ok(run)
}

fn report(label: &str, run: &Run) {
    let rate = run.times.len() as f64 / run.took.as_secs_f64();
    let mut all: Vec<Duration> = run.times.iter().map(|(_, d)| *d).collect();
    all.sort();
    let p = |v: &[Duration], q| {
        if v.is_empty() {
            0.0
        } else {
            ms(percentile(v, q))
        }
    };
    let mut line = format!(
        "{label:<28} {rate:>8.0} req/s   p50 {:>6.1} ms   p99 {:>6.1} ms",
        p(&all, 50),
        p(&all, 99)
    );
    for (kind, name) in [
        (Op::Read, "reads"),
        (Op::Draft, "drafts"),
        (Op::Visit, "visits"),
    ] {
        let mut v: Vec<Duration> = run
            .times
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, d)| *d)
            .collect();
        if v.is_empty() {
            continue;
        }
        v.sort();
        line += &format!("   {name} p99 {:.1}", p(&v, 99));
    }
    if run.failed > 0 {
        line += &format!("   ({} failed)", run.failed);
    }
    println!("{line}");
}

pub async fn cluster_bench(
    servers: Vec<usize>,
    clients: usize,
    secs: u64,
    database_url: Option<String>,
) -> Result<(), String> {
    let scratch =
        std::env::temp_dir().join(format!("tongban-bench-cluster-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let url = match database_url {
        Some(u) => u,
        None => {
            let base = crate::postgres::throwaway_cluster(&scratch.join("pg"))?;
            println!("PostgreSQL: a throwaway cluster ({base}, fsync off)");
            format!("{base}/postgres")
        }
    };
    let store = tongban_store::Store::open(&url)
        .await
        .map_err(|e| e.to_string())?
        .with_files(scratch.join("files"));
    crate::demo::load_base_if_empty(&store).await?;
    let company = bearer_for(&store, "company").await?;
    let clerk = bearer_for(&store, "clerk.spj").await?;
    store.close().await;
    println!(
        "{clients} keep-alive clients for {secs} s per run; 7 reads, 2 drafts, 1 window visit in 10"
    );
    let bare = bare_server().await.map_err(|e| e.to_string())?;
    report(
        "bare axum handler",
        &load(&[bare], clients, secs, "", "", true).await?,
    );
    for n in servers {
        let mut running = Vec::new();
        for _ in 0..n {
            running.push(start_server(&url, &scratch)?);
        }
        let addrs: Vec<_> = running.iter().map(|s| s.addr).collect();
        // A short warm-up: pools filled, caches read.
        load(&addrs, clients, 2, &company, &clerk, false).await?;
        let run = load(&addrs, clients, secs, &company, &clerk, false).await?;
        report(
            &format!("{n} server{}", if n == 1 { "" } else { "s" }),
            &run,
        );
        drop(running);
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}
