//! Operations on both stores: two servers sharing the background jobs and the e-mail outbox,
//! `/metrics` and request ids, rate limits per address, backup and restore, a read replica,
//! and a database that goes away and comes back.

use crate::harness::flows::*;
use crate::harness::{Backend, TestApp, backends, fresh_store_url, runtime, scratch_dir};
use jiff::SignedDuration;
use serde_json::json;
use tongban::jobs::Worker;
use tongban_store::Store;

fn worker(store: &Store, holder: &str) -> Worker {
    Worker {
        store: store.clone(),
        holder: holder.into(),
        every: std::time::Duration::from_secs(60),
        smtp: None,
        backup: None,
    }
}

/// A number from the database the store runs on (the tests read what no page shows).
fn count(store_url: &str, sql: &'static str) -> i64 {
    runtime().block_on(async {
        use tongban_store::sqlx::{self, Connection};
        let mut c = sqlx::AnyConnection::connect(&sqlite_rw(store_url))
            .await
            .unwrap();
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap();
        n
    })
}

fn sqlite_rw(url: &str) -> String {
    if url.starts_with("sqlite://") {
        format!("{url}?mode=rw")
    } else {
        url.to_string()
    }
}

fn later(app: &TestApp, by: SignedDuration) {
    let now = app.store.now();
    *app.now.lock().unwrap() = Some(now.checked_add(by).unwrap());
}

#[test]
fn two_servers_share_the_jobs_and_the_mail_and_a_dead_servers_job_is_taken_over() {
    for b in backends() {
        let a = TestApp::demo_with_mail(&b);
        let peer = a.peer();
        eprintln!("-- {}", a.backend_name);
        // Cases that will be due and overdue, with notices (and e-mail) for unit and applicant.
        let company = Who::new(&a, "company");
        let clerk = Who::new(&a, "clerk.spj");
        for _ in 0..3 {
            let id = submitted(&a, &company);
            accept(&a, &clerk, &id);
        }
        later(&a, SignedDuration::from_hours(24 * 40));

        // Both servers offer the jobs at the same moment: each job runs on one of them.
        let (wa, wb) = (
            worker(&a.store, "server-a"),
            worker(&peer.store, "server-b"),
        );
        let (ta, tb) = runtime().block_on(async { tokio::join!(wa.tick(), wb.tick()) });
        for job in ["clock", "monthly_report"] {
            let runs = [&ta, &tb].iter().filter(|t| t.ran.contains(&job)).count();
            assert_eq!(runs, 1, "{job} ran on exactly one server: {ta:?} {tb:?}");
        }
        let notices = count(&a.store_url, "SELECT COUNT(*) FROM inbox");
        assert!(notices > 0);
        // Resting: offered again at once, nobody runs them.
        let (ta, tb) = runtime().block_on(async { tokio::join!(wa.tick(), wb.tick()) });
        assert!(ta.ran.is_empty() && tb.ran.is_empty(), "{ta:?} {tb:?}");
        // Each pass at most once per due item: passes on both servers notify nobody twice.
        runtime().block_on(async {
            let (x, y) = tokio::join!(a.store.run_clock(), peer.store.run_clock());
            x.unwrap();
            y.unwrap();
        });
        assert_eq!(count(&a.store_url, "SELECT COUNT(*) FROM inbox"), notices);
        assert_eq!(
            count(
                &a.store_url,
                "SELECT COUNT(*) FROM (SELECT recipient, dedupe FROM inbox WHERE dedupe IS NOT NULL
                 GROUP BY recipient, dedupe HAVING COUNT(*) > 1) d"
            ),
            0
        );

        // A server takes the clock job and dies in the middle (its lease never finished).
        later(&a, SignedDuration::from_secs(31));
        assert!(
            runtime()
                .block_on(a.store.take_lease(
                    "clock",
                    "server-dead",
                    SignedDuration::from_secs(600)
                ))
                .unwrap()
        );
        let t = runtime().block_on(wb.tick());
        assert!(!t.ran.contains(&"clock"), "a live lease is left alone");
        later(&a, SignedDuration::from_secs(601));
        let t = runtime().block_on(wb.tick());
        assert!(t.ran.contains(&"clock"), "the peer takes the job over");
        // The dead server's late finish changes nothing: the peer's run is the one counted.
        let late = runtime()
            .block_on(a.store.finish_lease(
                "clock",
                "server-dead",
                SignedDuration::ZERO,
                Err("killed".into()),
            ))
            .unwrap();
        assert!(!late);
        let jobs = runtime().block_on(a.store.jobs()).unwrap();
        let clock = jobs.iter().find(|j| j.job == "clock").unwrap();
        assert_eq!((clock.passes, clock.failures), (2, 0));
        assert_eq!(clock.holder, "server-b");

        // E-mail: two senders claiming at once take different rows, together all of them.
        let (pending, _) = runtime().block_on(a.store.mail_backlog()).unwrap();
        assert!(pending >= 2, "the notices queued e-mail: {pending}");
        let claim = SignedDuration::from_secs(300);
        let (ca, cb) = runtime().block_on(async {
            tokio::join!(
                a.store.claim_mail("server-a", 1000, claim),
                peer.store.claim_mail("server-b", 1000, claim)
            )
        });
        let (ca, cb) = (ca.unwrap(), cb.unwrap());
        let mut ids: Vec<i64> = ca.iter().chain(&cb).map(|m| m.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ca.len() + cb.len(), "no row claimed twice");
        assert_eq!(ids.len() as i64, pending);
        // While the claims run nobody else takes the rows.
        let c = runtime()
            .block_on(peer.store.claim_mail("server-c", 1000, claim))
            .unwrap();
        assert!(c.is_empty());
        // server-a sends its rows; server-b dies before sending: its rows go to server-c later.
        for m in &ca {
            runtime()
                .block_on(a.store.mail_done(m.id, "server-a", None))
                .unwrap();
        }
        later(&a, SignedDuration::from_secs(301));
        let c = runtime()
            .block_on(peer.store.claim_mail("server-c", 1000, claim))
            .unwrap();
        let mut again: Vec<i64> = c.iter().map(|m| m.id).collect();
        let mut died: Vec<i64> = cb.iter().map(|m| m.id).collect();
        again.sort();
        died.sort();
        assert_eq!(again, died, "exactly the dead sender's rows are sent again");
        assert!(c.iter().all(|m| m.attempts == 2));
        // The dead sender's late report does not mark server-c's rows.
        for m in &cb {
            runtime()
                .block_on(a.store.mail_done(m.id, "server-b", None))
                .unwrap();
        }
        let (left, _) = runtime().block_on(a.store.mail_backlog()).unwrap();
        assert_eq!(left, c.len() as i64);
        assert_audit_intact(&a);
    }
}

#[test]
fn metrics_behind_a_token_and_a_request_id_on_every_answer() {
    for b in backends() {
        let web = tongban_web::WebConfig {
            metrics_token: "metrics-secret".into(),
            ..crate::harness::test_web_config()
        };
        let app = TestApp::demo_with(&b, web);
        eprintln!("-- {}", app.backend_name);
        assert_eq!(app.get("/metrics").status, 401);
        let wrong = app.get_with("/metrics", &[("authorization", "Bearer nope")]);
        assert_eq!(wrong.status, 401);
        assert_eq!(
            wrong.header("content-type"),
            Some("application/problem+json")
        );

        assert_eq!(app.get("/api/v1/items?q=x").status, 200);
        runtime().block_on(worker(&app.store, "server-a").tick());
        let r = app.get_with("/metrics", &[("authorization", "Bearer metrics-secret")]);
        assert_eq!(r.status, 200);
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("text/plain; version=0.0.4")
        );
        for want in [
            "tongban_http_requests_total{route=\"/api/v1/items\",method=\"GET\",status=\"200\"}",
            "tongban_http_request_duration_seconds_bucket{route=\"/api/v1/items\",method=\"GET\",le=\"+Inf\"}",
            "tongban_db_pool_connections{pool=\"write\",state=\"idle\"}",
            "tongban_mail_outbox_pending 0",
            "tongban_job_passes_total{job=\"clock\"} 1",
            "tongban_job_passes_total{job=\"monthly_report\"} 1",
            "tongban_job_last_finished_age_seconds{job=\"clock\"}",
        ] {
            assert!(r.body.contains(want), "{want} in\n{}", r.body);
        }
        // Every line is a comment or `name{labels} value`.
        for line in r.body.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }

        // The request id: ours when none came, the proxy's when it is plain, never a strange one.
        let ours = app.get("/healthz");
        let id = ours.header("x-request-id").expect("an id").to_string();
        assert!(!id.is_empty());
        let kept = app.get_with("/healthz", &[("x-request-id", "proxy-42.a_b")]);
        assert_eq!(kept.header("x-request-id"), Some("proxy-42.a_b"));
        let odd = app.get_with("/healthz", &[("x-request-id", "a b\"c")]);
        assert_ne!(odd.header("x-request-id"), Some("a b\"c"));
    }
    // Without a token nor a listener of its own, there is no /metrics on the main listener.
    let plain = TestApp::empty(&Backend::Sqlite);
    assert_eq!(plain.get("/metrics").status, 404);
}

#[test]
fn rate_limits_count_each_client_address_and_answer_in_the_readers_language() {
    let web = tongban_web::WebConfig {
        rate_limits: tongban_web::ops::limits::RateLimits {
            login: 3,
            register: 2,
            public_forms: 2,
            open311: 2,
        },
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Default::default()
    };
    let app = TestApp::demo_with(&Backend::Sqlite, web);
    let login = |from: &str| {
        app.raw_post(
            "/login",
            &[
                ("x-forwarded-for", from),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            b"username=nobody&password=wrong&csrf=x".to_vec(),
        )
    };
    for _ in 0..3 {
        let r = login("10.0.0.1");
        assert_ne!(r.status, 429, "{}", r.body);
    }
    let limited = login("10.0.0.1");
    assert_eq!(limited.status, 429);
    assert!(
        limited
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert!(limited.body.contains("请求过于频繁"), "{}", limited.body);
    // Another client behind the same proxy has its own allowance; reading the form is free.
    assert_ne!(login("10.0.0.2").status, 429);
    assert_eq!(app.get("/login").status, 200);
    // An address the proxy did not vouch for: the header is the client's own word, and the
    // proxy appended the real client (10.0.0.1) after it.
    assert_eq!(login("1.2.3.4, 10.0.0.1").status, 429);

    // The public forms through the API count like their pages.
    let rate = |from: &str| {
        app.raw_post(
            "/api/v1/visits/no-such-token/rating",
            &[
                ("x-forwarded-for", from),
                ("content-type", "application/json"),
            ],
            b"{}".to_vec(),
        )
    };
    assert_ne!(rate("10.0.0.3").status, 429);
    assert_ne!(rate("10.0.0.3").status, 429);
    let r = rate("10.0.0.3");
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["type"], "/problems/rate_limited");
    // The API document says so of exactly the operations the limiter counts.
    let doc = app.get("/api/openapi.json").json();
    let responses = |path: &str, method: &str| doc["paths"][path][method]["responses"].clone();
    assert!(responses("/api/v1/visits/{token}/rating", "post")["429"].is_object());
    assert!(responses("/api/v1/inspection/verify", "post")["429"].is_object());
    assert!(responses("/api/v1/items", "get")["429"].is_null());
    assert!(responses("/api/v1/cases", "post")["429"].is_null());

    // Open311 posts answer in JSON.
    let post = || {
        app.raw_post(
            "/open311/v2/requests.json",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"service_code=none".to_vec(),
        )
    };
    assert_ne!(post().status, 429);
    assert_ne!(post().status, 429);
    let r = post();
    assert_eq!(r.status, 429);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(r.json()["type"], "/problems/rate_limited");
}

#[test]
fn a_backup_taken_while_serving_comes_back_whole_and_a_damaged_one_is_refused() {
    for b in backends() {
        let app = TestApp::demo(&b);
        eprintln!("-- {}", app.backend_name);
        let company = Who::new(&app, "company");
        let before = submitted(&app, &company);
        // A file of its own, beside the demo's.
        let id = draft(&app, &company);
        let r = app.upload(
            &format!("/api/v1/cases/{id}/materials/0"),
            &company.h(),
            "own.pdf",
            b"%PDF-1.4\n% backup test\n",
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let cases_then = count(&app.store_url, "SELECT COUNT(*) FROM cases");

        // The backup is taken while applications keep coming in.
        let dir = scratch_dir().join("backup");
        let url = if app.backend_name == "sqlite" {
            String::new()
        } else {
            app.store_url.clone()
        };
        let m = std::thread::scope(|s| {
            let burst = s.spawn(|| {
                for _ in 0..3 {
                    submitted(&app, &company);
                }
            });
            let m = runtime()
                .block_on(tongban::backup::take(&app.store, &url, &dir))
                .expect("backup");
            burst.join().unwrap();
            m
        });
        assert!(m.files.len() >= 2);
        assert!(m.audit_entries > 0);

        // Restored into a new store with the command line: it checks the chain and the files.
        let data = scratch_dir().join("restored");
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tongban"));
        cmd.arg("restore")
            .arg(&dir)
            .arg("--data")
            .arg(&data)
            .env("TONGBAN_LOG", "warn");
        let target = if app.backend_name == "sqlite" {
            format!("sqlite://{}", data.join("tongban.db").display())
        } else {
            let t = fresh_store_url(&b);
            cmd.arg("--database-url").arg(&t);
            t
        };
        let out = cmd.output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains("audit trail intact"), "{said}");
        assert!(said.contains(&format!("files intact: ")), "{said}");
        // Everything up to the backup is there; the case made before it among them.
        let cases = count(&target, "SELECT COUNT(*) FROM cases");
        assert!(cases >= cases_then, "{cases} >= {cases_then}");
        let restored = runtime().block_on(Store::open(&target)).unwrap();
        assert!(
            runtime()
                .block_on(restored.case(&before))
                .unwrap()
                .is_some()
        );
        let (entries, _) = runtime().block_on(restored.audit_head()).unwrap();
        assert!(entries >= m.audit_entries);
        runtime().block_on(restored.close());

        // A backup whose file was changed is refused before anything is touched.
        let f = &m.files[0].sha256;
        let path = dir.join("files/blobs").join(&f[..2]).join(f);
        std::fs::write(&path, b"tampered").unwrap();
        let err = tongban::backup::check(&dir).unwrap_err();
        assert!(err.contains("does not match"), "{err}");
    }
}

#[test]
fn scheduled_backups_keep_the_newest() {
    let app = TestApp::demo(&Backend::Sqlite);
    let dir = scratch_dir().join("scheduled");
    let schedule = tongban::backup::Schedule {
        dir: dir.clone(),
        every: std::time::Duration::from_secs(3600),
        keep: 2,
        database_url: String::new(),
    };
    let w = Worker {
        backup: Some(schedule),
        ..worker(&app.store, "server-a")
    };
    let mut made = Vec::new();
    for _ in 0..3 {
        let t = runtime().block_on(w.tick());
        assert!(t.ran.contains(&"backup"), "{t:?}");
        // Not again within the hour, on any server.
        assert!(!runtime().block_on(w.tick()).ran.contains(&"backup"));
        made.push(
            std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .max()
                .unwrap(),
        );
        later(&app, SignedDuration::from_secs(3601));
    }
    let mut kept: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    kept.sort();
    assert_eq!(kept, made[1..].to_vec());
    for k in &kept {
        tongban::backup::check(&dir.join(k)).expect("a whole backup");
    }
}

#[test]
fn reads_that_may_lag_go_to_the_replica_and_the_rest_to_the_primary() {
    if !backends().iter().any(|b| matches!(b, Backend::Postgres)) {
        eprintln!("!!!!!!!! PostgreSQL SKIPPED: no replica test !!!!!!!!");
        return;
    }
    let app = TestApp::demo(&Backend::Postgres);
    // A "replica" that is visibly behind: an empty, migrated database.
    let replica_url = fresh_store_url(&Backend::Postgres);
    runtime().block_on(async { Store::open(&replica_url).await.unwrap().close().await });
    let store = runtime()
        .block_on(async {
            Store::open(&app.store_url)
                .await
                .unwrap()
                .with_read_replica(&replica_url)
                .await
        })
        .unwrap();
    let company = Who::new(&app, "company");
    let id = submitted(&app, &company);
    runtime().block_on(async {
        // Public catalog and lists: the replica's (it has nothing yet).
        assert!(store.published_guides().await.unwrap().is_empty());
        let (cases, total) = store
            .list_cases(
                &Default::default(),
                tongban_store::Page {
                    page: 1,
                    per_page: 10,
                },
            )
            .await
            .unwrap();
        assert_eq!((cases.len(), total), (0, 0));
        // One case, and everything a write reads: the primary's.
        assert!(store.case(&id).await.unwrap().is_some());
        assert!(app.store.published_guides().await.unwrap().len() > 10);
        store.close().await;
    });
    // A replica beside SQLite is refused by name.
    let sqlite = TestApp::empty(&Backend::Sqlite);
    let err = runtime()
        .block_on(async {
            Store::open(&sqlite.store_url)
                .await
                .unwrap()
                .with_read_replica(&replica_url)
                .await
        })
        .unwrap_err();
    assert!(
        matches!(err, tongban_store::StoreError::Invalid(_)),
        "{err}"
    );
}

#[test]
fn when_the_database_is_gone_or_full_requests_fail_cleanly_and_recover() {
    for b in backends() {
        let app = TestApp::demo(&b);
        eprintln!("-- {}", app.backend_name);
        let company = Who::new(&app, "company");
        let cases_before = count(&app.store_url, "SELECT COUNT(*) FROM cases");
        let page = app.session("company");
        match b {
            // The disk fills up: SQLite's page limit makes every write fail as a full disk does.
            Backend::Sqlite => {
                let pages = count(&app.store_url, "PRAGMA page_count");
                runtime()
                    .block_on(app.store.raw_execute(tongban_store::sqlx::query(
                        tongban_store::sqlx::AssertSqlSafe(format!(
                            "PRAGMA max_page_count = {pages}"
                        )),
                    )))
                    .unwrap();
                writes_refused_while_full(&app, &company, &page);
                // Room again: the same server takes writes.
                runtime()
                    .block_on(app.store.raw_execute(tongban_store::sqlx::query(
                        "PRAGMA max_page_count = 1073741823",
                    )))
                    .unwrap();
            }
            // The database restarts: every connection is cut and none is let in for a while.
            Backend::Postgres => {
                let db = app.store_url.rsplit('/').next().unwrap().to_string();
                // Under load: drafts and reads keep coming while the database goes away and
                // comes back. Every answer is a success or a clean 503 — never a 500 — and
                // every answered draft is kept.
                let stop = std::sync::atomic::AtomicBool::new(false);
                let (statuses, created) = std::thread::scope(|s| {
                    let load = (0..3)
                        .map(|t| {
                            let (app, company, stop) = (&app, &company, &stop);
                            s.spawn(move || {
                                let (mut seen, mut ids) = (Vec::new(), Vec::new());
                                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                                    let r = if t == 0 {
                                        app.get("/api/v1/items?q=x")
                                    } else {
                                        app.json(
                                            "POST",
                                            "/api/v1/cases",
                                            &company.h(),
                                            &json!({
                                            "item_code": "XH-SPJ-000101007000", "form": {
                                            "contact_name": "李四", "contact_phone": "13800138000",
                                            "details": "under load"}}),
                                        )
                                    };
                                    if r.status == 201 {
                                        ids.push(
                                            r.json()["item"]["id"].as_str().unwrap().to_string(),
                                        );
                                    }
                                    seen.push(r.status);
                                }
                                (seen, ids)
                            })
                        })
                        .collect::<Vec<_>>();
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    on_cluster(format!("ALTER DATABASE {db} ALLOW_CONNECTIONS false"));
                    on_cluster(format!(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"
                    ));
                    std::thread::sleep(std::time::Duration::from_millis(800));
                    on_cluster(format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"));
                    let back = std::time::Instant::now() + std::time::Duration::from_secs(30);
                    while app.get("/readyz").status != 200 {
                        assert!(std::time::Instant::now() < back, "ready again");
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(500));
                    stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    let (mut statuses, mut created) = (Vec::new(), Vec::new());
                    for h in load {
                        let (seen, ids) = h.join().unwrap();
                        // Each client's last answers came after the database was back.
                        assert!(
                            matches!(seen.last(), Some(200 | 201)),
                            "recovered without a restart: {seen:?}"
                        );
                        statuses.extend(seen);
                        created.extend(ids);
                    }
                    (statuses, created)
                });
                assert!(
                    statuses.iter().all(|s| matches!(s, 200 | 201 | 503)),
                    "only successes and clean refusals: {statuses:?}"
                );
                assert!(statuses.contains(&503), "the outage was seen");
                for id in &created {
                    assert_eq!(
                        get_as(&app, &company, &format!("/api/v1/cases/{id}")).status,
                        200
                    );
                }
                // And while it is away, each kind of answer in turn.
                on_cluster(format!("ALTER DATABASE {db} ALLOW_CONNECTIONS false"));
                on_cluster(format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'"
                ));
                let r = app.json(
                    "POST",
                    "/api/v1/cases",
                    &company.h(),
                    &json!({"item_code": "XH-SPJ-000101007000", "form": {
                        "contact_name": "李四", "contact_phone": "13800138000", "details": "x"}}),
                );
                assert_eq!(r.status, 503, "{}", r.body);
                assert_eq!(r.json()["type"], "/problems/unavailable");
                let p = app.page(&page, "/cases");
                assert_eq!(p.status, 503, "{}", p.body);
                assert!(p.body.contains("服务暂时不可用"), "{}", p.body);
                assert_eq!(app.get("/readyz").status, 503);
                on_cluster(format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"));
            }
        }
        // Recovered without a restart; nothing half-written meanwhile.
        assert_eq!(app.get("/readyz").status, 200);
        let id = submitted(&app, &company);
        assert!(!id.is_empty());
        let cases_after = count(&app.store_url, "SELECT COUNT(*) FROM cases");
        assert!(cases_after > cases_before);
        assert_audit_intact(&app);
    }
}

#[test]
fn a_session_its_csrf_token_and_login_throttling_hold_on_every_server() {
    for b in backends() {
        let a = TestApp::demo(&b);
        let peer = a.peer();
        eprintln!("-- {}", a.backend_name);
        // Signed in on one server, known on the other; its CSRF token works there too.
        let s = a.session("clerk.spj");
        let on_peer = peer.page(&s, "/cases");
        assert_eq!(on_peer.status, 200, "{}", on_peer.body);
        let out = peer.post_form(&s, "/logout", &[]);
        assert_eq!(out.status, 303);
        // Signed out there, signed out here.
        assert_eq!(a.page(&s, "/cases").status, 303);
        // Failed sign-ins counted on one server hold on the other.
        let attempt = |app: &TestApp| {
            let page = app.get("/login");
            let pre = page.cookie("tongban_csrf").unwrap();
            let csrf = page.hidden("csrf").unwrap();
            app.form(
                "/login",
                &format!("tongban_csrf={pre}"),
                &[
                    ("username", "clerk.spj"),
                    ("password", "wrong"),
                    ("csrf", &csrf),
                ],
            )
        };
        for _ in 0..5 {
            assert_eq!(attempt(&a).status, 401, "a wrong password");
        }
        let throttled = attempt(&peer);
        assert_eq!(throttled.status, 429, "{}", throttled.body);
    }
}

#[test]
fn an_upload_onto_a_full_disk_leaves_nothing_behind_and_is_taken_once_there_is_room() {
    use sha2::Digest;
    let app = TestApp::demo(&Backend::Sqlite);
    let company = Who::new(&app, "company");
    let id = draft(&app, &company);
    let bytes = b"%PDF-1.4\n% full disk\n".to_vec();
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let dir = app.files.join("blobs").join(&sha[..2]);
    std::fs::create_dir_all(&dir).unwrap();
    // The server writes the upload under this name first: make it a full device.
    let tmp = dir.join(format!(".{sha}.{}.tmp", std::process::id()));
    std::os::unix::fs::symlink("/dev/full", &tmp).unwrap();
    let path = format!("/api/v1/cases/{id}/materials/0");
    let r = app.upload(&path, &company.h(), "scan.pdf", &bytes, None);
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.json()["type"], "/problems/unavailable");
    assert!(!tmp.exists(), "no partial file left");
    assert!(!dir.join(&sha).exists());
    let case = case_as(&app, &company, &id);
    assert!(
        case["materials"][0]["files"]
            .as_array()
            .is_none_or(|f| f.is_empty()),
        "{case}"
    );
    // Room again: the same upload is taken.
    let r = app.upload(&path, &company.h(), "scan.pdf", &bytes, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(dir.join(&sha).exists());
}

#[test]
fn json_logs_carry_the_request_id_cookies_are_secure_on_https_and_metrics_have_a_listener() {
    use std::io::BufRead;
    let data = scratch_dir().join("served");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .env("TONGBAN_LOG", "info,sqlx=warn")
        .env("TONGBAN_LOG_FORMAT", "json")
        .env("TONGBAN_PUBLIC_URL", "https://tongban.example")
        .env("TONGBAN_METRICS_LISTEN", "127.0.0.1:0")
        .env("TONGBAN_CLOCK_INTERVAL_SECS", "0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let (mut base, mut metrics) = (None, None);
    while base.is_none() || metrics.is_none() {
        let line = lines.next().expect("the server starts").unwrap();
        if let Some(a) = line.strip_prefix("tongban: serving on ") {
            base = Some(a.to_string());
        }
        if let Some(a) = line.strip_prefix("tongban: metrics on ") {
            metrics = Some(a.to_string());
        }
    }
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    std::thread::spawn(move || {
        for l in lines.map_while(Result::ok) {
            sink.lock().unwrap().push(l);
        }
    });
    let (base, metrics) = (base.unwrap(), metrics.unwrap());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let r = agent
        .get(format!("{base}/healthz"))
        .header("x-request-id", "rid-json-1")
        .call()
        .unwrap();
    assert_eq!(r.headers().get("x-request-id").unwrap(), "rid-json-1");
    let login = agent.get(format!("{base}/login")).call().unwrap();
    let cookie = login.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert_eq!(
        agent
            .get(format!("{base}/metrics"))
            .call()
            .unwrap()
            .status(),
        404
    );
    let mut m = agent.get(&metrics).call().unwrap();
    assert_eq!(m.status(), 200);
    assert!(
        m.body_mut()
            .read_to_string()
            .unwrap()
            .contains("tongban_http_requests_total")
    );
    // The request's line: JSON, with its id from the request span, its route and status.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let line = loop {
        let found = seen.lock().unwrap().iter().find_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).ok()?;
            (v["span"]["request_id"] == "rid-json-1" && v["fields"]["route"] == "/healthz")
                .then_some(v)
        });
        if let Some(v) = found {
            break v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{:?}",
            seen.lock().unwrap()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(line["fields"]["status"], 200);
    assert_eq!(line["level"], "INFO");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Found by reading every route against every role (the access table is next): a refusal comes
/// before anything that could tell what exists, and each queue is only its owners'.
#[test]
fn refusals_come_before_lookups_and_queues_are_their_owners() {
    let app = TestApp::demo(&Backend::Sqlite);
    // An unknown item and a known one answer alike to someone who may not edit.
    for code in ["XH-SPJ-000101001000", "NO-SUCH-ITEM"] {
        let r = app.raw_post(
            &format!("/admin/items/{code}/edit"),
            &[("content-type", "application/x-www-form-urlencoded")],
            b"name=x".to_vec(),
        );
        assert_eq!(r.status, 401, "{code}: {}", r.body);
    }
    let clerk = app.session("clerk.spj");
    for code in ["XH-SPJ-000101001000", "NO-SUCH-ITEM"] {
        let r = app.post_form(
            &clerk,
            &format!("/admin/items/{code}/edit"),
            &[("name", "x")],
        );
        assert_eq!(r.status, 403, "{code}");
    }
    // A declaration without a session is sent to sign in, not told its token is bad.
    let r = app.multipart("/policies/GX-AWARD/declare", &[], &[("csrf", "x")], &[]);
    assert_eq!(r.status, 401, "{}", r.body);
    // The sign-off queue is the departments'; the hotline operator has none.
    let operator = Who::new(&app, "operator");
    let r = get_as(&app, &operator, "/api/v1/declarations?pending=true");
    assert_eq!(r.status, 403, "{}", r.body);
}

/// PostgreSQL's disk fills up. The database lives in a tablespace on a small filesystem of its
/// own (a tmpfs this test mounts, which takes root, as the CI machine has); a filler file takes
/// the last of its room. Writes answer 503 (problem+json and the Chinese page), nothing is
/// half-written, and once the filler goes the same server takes writes again.
#[test]
fn when_postgres_runs_out_of_disk_writes_fail_cleanly_and_recover() {
    use std::process::Command;
    let Some(base) = crate::harness::postgres_base_url() else {
        return;
    };
    if std::env::var("TONGBAN_TEST_POSTGRES").is_ok() {
        eprintln!(
            "\n!!!!!!!! disk-full on PostgreSQL SKIPPED: the cluster is not this machine's own !!!!!!!!\n"
        );
        return;
    }
    let dir = scratch_dir().join("pg-small-disk");
    std::fs::create_dir_all(&dir).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64m", "tongban-test"])
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!(
            "\n!!!!!!!! disk-full on PostgreSQL SKIPPED: cannot mount a tmpfs (not root?) !!!!!!!!\n"
        );
        return;
    }
    /// Takes the small disk away again, whatever the test's end.
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(dir.clone());
    // The test cluster runs as `postgres` when we are root: the tablespace must be its own.
    let _ = Command::new("chown")
        .args(["postgres:postgres"])
        .arg(&dir)
        .status();
    let space = format!("t_small_{}", std::process::id());
    on_cluster(format!(
        "CREATE TABLESPACE {space} LOCATION '{}'",
        dir.display()
    ));
    on_cluster(format!("CREATE DATABASE {space} TABLESPACE {space}"));
    let app = TestApp::demo_at(format!("{base}/{space}"), &Backend::Postgres);
    let company = Who::new(&app, "company");
    let page = app.session("company");
    let cases_before = count(&app.store_url, "SELECT COUNT(*) FROM cases");

    // The filler takes every byte left.
    let filler = dir.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let chunk = vec![0u8; 1 << 20];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.sync_all();
    }
    let answered = writes_refused_while_full(&app, &company, &page);
    // Reads go on meanwhile.
    assert_eq!(app.get("/api/v1/items?q=x").status, 200);

    // Room again: the same server takes writes; what was answered is there once, the refused
    // drafts nowhere, and the audit chain runs unbroken across the outage.
    std::fs::remove_file(&filler).unwrap();
    let id = submitted(&app, &company);
    assert!(!id.is_empty());
    for id in &answered {
        assert_eq!(
            get_as(&app, &company, &format!("/api/v1/cases/{id}")).status,
            200
        );
    }
    let cases_after = count(&app.store_url, "SELECT COUNT(*) FROM cases");
    assert_eq!(cases_after, cases_before + answered.len() as i64 + 1);
    assert_audit_intact(&app);
    drop(app);
    on_cluster(format!("DROP DATABASE {space} WITH (FORCE)"));
    on_cluster(format!("DROP TABLESPACE {space}"));
}

/// SQL run as the test cluster's superuser on its `postgres` database.
fn on_cluster(sql: String) {
    let base = crate::harness::postgres_base_url().expect("a test cluster");
    runtime().block_on(async {
        use tongban_store::sqlx::{self, Connection};
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(&format!("{base}/postgres"))
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut c)
            .await
            .unwrap();
    })
}

/// Bulky drafts until the full store refuses one: the API answers 503 problem+json with
/// `Retry-After`, the page form the Chinese page. Returns the drafts answered before.
fn writes_refused_while_full(
    app: &TestApp,
    company: &Who,
    page: &crate::harness::Session,
) -> Vec<String> {
    let big = "满".repeat(2000);
    let mut answered = Vec::new();
    let refused = loop {
        let r = app.json(
            "POST",
            "/api/v1/cases",
            &company.h(),
            &json!({"item_code": "XH-SPJ-000101007000", "form": {
                "contact_name": "李四", "contact_phone": "13800138000", "details": big}}),
        );
        if r.status != 201 {
            break r;
        }
        answered.push(r.json()["item"]["id"].as_str().unwrap().to_string());
        assert!(answered.len() < 2000, "the full store refuses a write");
    };
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(
        refused.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(refused.json()["type"], "/problems/unavailable");
    assert!(refused.header("retry-after").is_some());
    let form = app.post_form(
        page,
        "/cases",
        &[
            ("item_code", "XH-SPJ-000101007000"),
            ("contact_name", "李四"),
            ("contact_phone", "13800138000"),
            ("details", &big),
        ],
    );
    assert_eq!(form.status, 503, "{}", form.body);
    assert!(form.body.contains("服务暂时不可用"), "{}", form.body);
    answered
}
