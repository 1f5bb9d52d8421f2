//! Crash safety: kill the server (SIGKILL) in the middle of a burst of applications, restart it,
//! and check that every application that got a success answer is there, with its file, once.

use crate::harness::{Backend, backends, fresh_store_url};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ITEM: &str = "XH-SPJ-000101007000";

/// `tongban ARGS --data DATA [--database-url URL]` (store options follow the subcommand).
fn tongban(url: &str, data: &std::path::Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tongban"));
    c.args(args)
        .arg("--data")
        .arg(data)
        .env("TONGBAN_LOG", "warn");
    if url.starts_with("postgres") {
        c.arg("--database-url").arg(url);
    }
    c
}

/// Starts `serve` and returns the child with its address (read from its first stderr line).
fn serve(url: &str, data: &std::path::Path) -> (Child, String) {
    let mut child = tongban(url, data, &["serve", "--listen", "127.0.0.1:0"])
        .env("TONGBAN_CLOCK_INTERVAL_SECS", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("server prints its address").unwrap();
        if let Some(a) = line.strip_prefix("tongban: serving on http://") {
            break a.to_string();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// One application: create, attach a file, submit. Returns (reference, case id, file hash)
/// only when every step was answered with success.
fn apply(
    agent: &ureq::Agent,
    base: &str,
    auth: &str,
    reference: &str,
) -> Option<(String, String, String)> {
    let body = serde_json::json!({"item_code": ITEM, "form": {
        "contact_name": "压力测试", "contact_phone": "13800138000", "details": reference}});
    let mut r = agent
        .post(format!("{base}/api/v1/cases"))
        .header("authorization", auth)
        .send_json(&body)
        .ok()?;
    if r.status() != 201 {
        return None;
    }
    let case: serde_json::Value = r.body_mut().read_json().ok()?;
    let id = case["item"]["id"].as_str()?.to_string();
    let pdf = format!("%PDF-1.4\n% {reference}\n");
    let boundary = "crashBoundary";
    let mut multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n"
    )
    .into_bytes();
    multipart.extend_from_slice(pdf.as_bytes());
    multipart.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = agent
        .post(format!("{base}/api/v1/cases/{id}/materials/0"))
        .header("authorization", auth)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .send(&multipart[..])
        .ok()?;
    if r.status() != 200 {
        return None;
    }
    let r = agent
        .post(format!("{base}/api/v1/cases/{id}/actions"))
        .header("authorization", auth)
        .send_json(serde_json::json!({"action": "submit"}))
        .ok()?;
    if r.status() != 200 {
        return None;
    }
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(pdf.as_bytes()));
    Some((reference.to_string(), id, sha))
}

fn crash_and_recover(backend: &Backend) {
    let url = fresh_store_url(backend);
    let data = std::env::temp_dir().join(format!(
        "tongban-crash-{}-{}",
        std::process::id(),
        match backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    ));
    let _ = std::fs::remove_dir_all(&data);
    // SQLite lives in the data directory; for PostgreSQL the URL names the database.
    let url = if url.starts_with("sqlite") {
        String::new()
    } else {
        url
    };
    assert!(tongban(&url, &data, &["demo"]).status().unwrap().success());
    let out = tongban(&url, &data, &["token", "create", "--user", "company"])
        .output()
        .unwrap();
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let auth = format!("Bearer {token}");

    let (mut child, addr) = serve(&url, &data);
    let base = format!("http://{addr}");
    let done: Arc<Mutex<Vec<(String, String, String)>>> = Default::default();
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (done, stop, count, base, auth) = (
                done.clone(),
                stop.clone(),
                count.clone(),
                base.clone(),
                auth.clone(),
            );
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(10)))
                    .build()
                    .into();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    match apply(&agent, &base, &auth, &format!("ref-{w}-{n}")) {
                        Some(ok) => {
                            done.lock().unwrap().push(ok);
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                        None => break,
                    }
                }
            })
        })
        .collect();
    // Kill the server mid-burst, once some applications have gone through.
    while count.load(Ordering::Relaxed) < 24 {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let done = done.lock().unwrap().clone();
    assert!(done.len() >= 24);

    // Restart on the same store: every answered application is there once, submitted, with its file.
    let (mut child, addr) = serve(&url, &data);
    let admin_token = String::from_utf8(
        tongban(&url, &data, &["token", "create", "--user", "admin"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut all = Vec::new();
    for page in 1.. {
        let mut r = agent
            .get(format!(
                "http://{addr}/api/v1/cases?per_page=100&page={page}&state=draft,submitted"
            ))
            .header("authorization", format!("Bearer {admin_token}"))
            .call()
            .unwrap();
        let v: serde_json::Value = r.body_mut().read_json().unwrap();
        let items = v["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        all.extend(items);
    }
    for (reference, id, sha) in &done {
        let same: Vec<_> = all
            .iter()
            .filter(|c| c["form"]["details"] == reference.as_str())
            .collect();
        assert_eq!(same.len(), 1, "{reference} is stored exactly once");
        assert_eq!(same[0]["id"], id.as_str());
        assert_eq!(same[0]["state"], "submitted");
        let mut f = agent
            .get(format!("http://{addr}/api/v1/cases/{id}/files/{sha}"))
            .header("authorization", &auth)
            .call()
            .unwrap();
        assert_eq!(f.status(), 200, "file of {reference}");
        let bytes = f.body_mut().read_to_vec().unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains(reference.as_str()));
    }
    // No reference twice, even among applications whose answer was lost in the crash.
    let mut refs: Vec<&str> = all
        .iter()
        .filter_map(|c| c["form"]["details"].as_str())
        .collect();
    let n = refs.len();
    refs.sort_unstable();
    refs.dedup();
    assert_eq!(refs.len(), n, "no application stored twice");
    let verify = tongban(&url, &data, &["audit", "verify"]).output().unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_killed_server_loses_no_answered_application() {
    for b in backends() {
        crash_and_recover(&b);
    }
}
