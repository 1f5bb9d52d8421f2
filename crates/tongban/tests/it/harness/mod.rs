//! The test harness: the real server on 127.0.0.1:0 over a fresh SQLite file, or over a fresh
//! database in a throwaway PostgreSQL cluster. Tests are plain `#[test]` functions that talk HTTP
//! with a blocking client; the server runs on its own runtime thread.

pub mod flows;
pub mod mail;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use tongban_store::Store;

pub enum Backend {
    Sqlite,
    Postgres,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

pub fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tongban-it-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The stores every test runs against: SQLite always, PostgreSQL when a cluster is available.
pub fn backends() -> Vec<Backend> {
    let mut v = vec![Backend::Sqlite];
    if postgres_base_url().is_some() {
        v.push(Backend::Postgres);
    }
    v
}

/// A URL for a fresh, empty store of `backend`.
pub fn fresh_store_url(backend: &Backend) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", scratch_dir().join("tongban.db").display()),
        Backend::Postgres => {
            let base = postgres_base_url().expect("postgres available");
            let name = format!(
                "t_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            runtime().block_on(async {
                tongban_store::sqlx::any::install_default_drivers();
                use tongban_store::sqlx::{self, Connection};
                let mut c = sqlx::AnyConnection::connect(&format!("{base}/postgres"))
                    .await
                    .expect("connect to test cluster");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut c)
                    .await
                    .unwrap();
            });
            format!("{base}/{name}")
        }
    }
}

/// `postgres://user@host:port` of the test cluster: `TONGBAN_TEST_POSTGRES` if set, else a
/// cluster this process starts with initdb/pg_ctl (stopped by a watchdog when we exit).
pub fn postgres_base_url() -> Option<String> {
    static URL: OnceLock<Option<String>> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("TONGBAN_TEST_POSTGRES") {
            return Some(url.trim_end_matches('/').to_string());
        }
        match tongban::postgres::throwaway_cluster(&scratch_dir().join("pg")) {
            Ok(url) => Some(url),
            Err(why) => {
                eprintln!(
                    "\n!!!!!!!! PostgreSQL SKIPPED: {why}. Only SQLite was tested. !!!!!!!!\n"
                );
                None
            }
        }
    })
    .clone()
}

/// Where every test app's clock starts unless the test sets it: Monday 7 December 2026, 10:00
/// in the district, the day the year-end clock was built (a 20-working-day limit from it runs
/// into the next year). Time then runs on from there.
pub const PINNED_START: &str = "2026-12-07 10:00";

fn pinned_start() -> jiff::Timestamp {
    local_time(PINNED_START)
}

/// A district wall-clock time, `YYYY-MM-DD HH:MM`, as an instant.
pub fn local_time(local: &str) -> jiff::Timestamp {
    let dt: jiff::civil::DateTime = local.replace(' ', "T").parse().expect("YYYY-MM-DD HH:MM");
    dt.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp()
}

/// The running application under test.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    /// The server's "now": `None` is [`PINNED_START`] plus the time since the app started (so
    /// no test depends on the day it runs); tests set it to move through deadlines.
    pub now: std::sync::Arc<std::sync::Mutex<Option<jiff::Timestamp>>>,
    pub backend_name: &'static str,
    /// The database this server opened, and its files directory (a peer opens the same).
    pub store_url: String,
    pub files: PathBuf,
    mail: bool,
    running: Option<tongban::Running>,
    agent: ureq::Agent,
}

/// The test servers' log name (their key is fixed, so a test can check it).
pub const LOG_ORIGIN: &str = "test.tongban.example/licences";

impl TestApp {
    /// A server over a fresh store with the Xihu demo loaded.
    pub fn demo(backend: &Backend) -> TestApp {
        let app = TestApp::empty(backend);
        runtime()
            .block_on(tongban::demo::load_base_if_empty(&app.store))
            .expect("demo loads");
        app
    }

    /// A server over a fresh, empty (migrated) store.
    pub fn empty(backend: &Backend) -> TestApp {
        TestApp::build(backend, false)
    }

    /// The demo with e-mail notices queued (as when SMTP is configured).
    pub fn demo_with_mail(backend: &Backend) -> TestApp {
        let app = TestApp::build(backend, true);
        runtime()
            .block_on(tongban::demo::load_base_if_empty(&app.store))
            .expect("demo loads");
        app
    }

    fn build(backend: &Backend, mail: bool) -> TestApp {
        TestApp::serve(
            fresh_store_url(backend),
            scratch_dir().join("files"),
            Default::default(),
            backend,
            mail,
            test_web_config(),
        )
    }

    /// An empty (migrated) store behind a server with web settings of its own.
    pub fn empty_with(backend: &Backend, web: tongban_web::WebConfig) -> TestApp {
        TestApp::serve(
            fresh_store_url(backend),
            scratch_dir().join("files"),
            Default::default(),
            backend,
            false,
            web,
        )
    }

    /// A server with the demo over a database made by the test itself (one in a tablespace of
    /// its own, say).
    pub fn demo_at(store_url: String, backend: &Backend) -> TestApp {
        let app = TestApp::serve(
            store_url,
            scratch_dir().join("files"),
            Default::default(),
            backend,
            false,
            test_web_config(),
        );
        runtime()
            .block_on(tongban::demo::load_base_if_empty(&app.store))
            .expect("demo loads");
        app
    }

    /// A demo server with web settings of its own (rate limits, the metrics token).
    pub fn demo_with(backend: &Backend, web: tongban_web::WebConfig) -> TestApp {
        let app = TestApp::empty_with(backend, web);
        runtime()
            .block_on(tongban::demo::load_base_if_empty(&app.store))
            .expect("demo loads");
        app
    }

    /// A second server over this one's database and files, on the same clock: two servers of
    /// one cluster.
    pub fn peer(&self) -> TestApp {
        let backend = match self.backend_name {
            "sqlite" => Backend::Sqlite,
            _ => Backend::Postgres,
        };
        TestApp::serve(
            self.store_url.clone(),
            self.files.clone(),
            self.now.clone(),
            &backend,
            self.mail,
            test_web_config(),
        )
    }

    fn serve(
        url: String,
        files: PathBuf,
        now: std::sync::Arc<std::sync::Mutex<Option<jiff::Timestamp>>>,
        backend: &Backend,
        mail: bool,
        web: tongban_web::WebConfig,
    ) -> TestApp {
        let clock_now = now.clone();
        let started = std::time::Instant::now();
        let pinned = pinned_start();
        let (store, running) = runtime().block_on(async {
            let store = Store::open(&url)
                .await
                .expect("store opens")
                .with_files(files.clone())
                .with_mail(mail)
                .with_log_key(
                    LOG_ORIGIN,
                    tongban_domain::licences::note::SignerKey::from_seed(LOG_ORIGIN, [9; 32])
                        .expect("a key"),
                )
                .with_clock(std::sync::Arc::new(move || {
                    clock_now.lock().unwrap().unwrap_or_else(|| {
                        let elapsed = jiff::SignedDuration::try_from(started.elapsed())
                            .expect("a test runs for less than centuries");
                        pinned.checked_add(elapsed).expect("in range")
                    })
                }));
            let running = tongban::spawn(store.clone(), "127.0.0.1:0", web)
                .await
                .expect("server starts");
            (store, running)
        });
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // A connection per request: the server closes one whose body an early refusal (a
            // 404 before an upload is read) left unread, and a pooled client could write its
            // next request into it ("Peer disconnected").
            .max_idle_connections(0)
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .build()
            .into();
        TestApp {
            base: format!("http://{}", running.addr),
            store,
            now,
            backend_name: match backend {
                Backend::Sqlite => "sqlite",
                Backend::Postgres => "postgres",
            },
            store_url: url,
            files,
            mail,
            running: Some(running),
            agent,
        }
    }

    /// Sets the server's clock to a district wall-clock time, e.g. `"2026-11-02 09:00"`.
    pub fn set_now(&self, local: &str) {
        *self.now.lock().unwrap() = Some(local_time(local));
    }

    /// A multipart upload of one file part (and a `csrf` field when given).
    pub fn upload(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        filename: &str,
        bytes: &[u8],
        csrf: Option<&str>,
    ) -> Resp {
        self.upload_as(path, headers, "file", filename, bytes, csrf)
    }

    /// `upload` with the file part under another field name.
    pub fn upload_as(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        field: &str,
        filename: &str,
        bytes: &[u8],
        csrf: Option<&str>,
    ) -> Resp {
        let fields: Vec<(&str, &str)> = csrf.map(|c| ("csrf", c)).into_iter().collect();
        self.multipart(path, headers, &fields, &[(field, filename, bytes)])
    }

    /// A multipart form: text fields, then file parts (field, file name, bytes).
    pub fn multipart(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Resp {
        let boundary = "tongbanTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (field, filename, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        let mut h: Vec<(&str, &str)> = headers.to_vec();
        h.push(("content-type", &ct));
        self.raw_post(path, &h, body)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str) -> Resp {
        self.send(self.agent.get(self.url(path)))
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut r = self.agent.get(self.url(path));
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        self.send(r)
    }

    pub fn send(&self, req: ureq::RequestBuilder<ureq::typestate::WithoutBody>) -> Resp {
        Resp::from(req.call().expect("request completes"))
    }

    pub fn json(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &serde_json::Value,
    ) -> Resp {
        let url = self.url(path);
        let mut r = match method {
            "POST" => self.agent.post(url),
            "PUT" => self.agent.put(url),
            "PATCH" => self.agent.patch(url),
            other => panic!("method {other}"),
        };
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        Resp::from(r.send_json(body).expect("request completes"))
    }

    pub fn form(&self, path: &str, cookies: &str, fields: &[(&str, &str)]) -> Resp {
        let r = self.agent.post(self.url(path)).header("cookie", cookies);
        Resp::from(
            r.send_form(fields.iter().copied())
                .expect("request completes"),
        )
    }

    pub fn raw_post(&self, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Resp {
        let mut r = self.agent.post(self.url(path));
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        Resp::from(r.send(&body[..]).expect("request completes"))
    }

    /// Creates an API token for a demo user through the CLI path's store call.
    pub fn token_for(&self, username: &str) -> String {
        let token = format!("tb_{}", tongban_web::auth::random_token());
        let id = format!("tok_{}", &tongban_web::auth::random_token()[..12]);
        runtime()
            .block_on(self.store.create_api_token(
                "test",
                username,
                "test",
                &id,
                &tongban_web::auth::sha256_hex(&token),
            ))
            .expect("token created");
        token
    }

    /// Signs in through the login form; returns the session cookie header and the CSRF token of
    /// the session (read from a page's form).
    pub fn login(&self, username: &str, password: &str) -> (String, String) {
        let page = self.get("/login");
        let pre = page
            .cookie("tongban_csrf")
            .expect("login page sets a CSRF cookie");
        let csrf = page.hidden("csrf").expect("login form has a csrf field");
        let r = self.form(
            "/login",
            &format!("tongban_csrf={pre}"),
            &[
                ("username", username),
                ("password", password),
                ("csrf", &csrf),
                ("next", "/"),
            ],
        );
        assert_eq!(r.status, 303, "login of {username} redirects: {}", r.body);
        let session = r.cookie("tongban_session").expect("session cookie");
        let cookie = format!("tongban_session={session}");
        let home = self.get_with("/", &[("cookie", &cookie)]);
        let csrf = home
            .hidden("csrf")
            .expect("signed-in pages carry the session CSRF token");
        (cookie, csrf)
    }
}

/// A signed-in browser: its session cookie and CSRF token, so page tests post forms as people do
/// without repeating the cookie header and the token in every call.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    /// Signs a demo user in with their demo password (`clerk.spj` → `clerk-spj-demo-2026`).
    pub fn session(&self, user: &str) -> Session {
        let (cookie, csrf) = self.login(user, &format!("{}-demo-2026", user.replace('.', "-")));
        Session { cookie, csrf }
    }

    /// A page as the session sees it.
    pub fn page(&self, s: &Session, path: &str) -> Resp {
        self.get_with(path, &[("cookie", &s.cookie)])
    }

    /// Posts a form as the session, with its CSRF token.
    pub fn post_form(&self, s: &Session, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all = vec![("csrf", s.csrf.as_str())];
        all.extend_from_slice(fields);
        self.form(path, &s.cookie, &all)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            runtime().block_on(r.stop());
        }
    }
}

/// A response read whole.
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Resp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

impl From<ureq::http::Response<ureq::Body>> for Resp {
    fn from(mut r: ureq::http::Response<ureq::Body>) -> Resp {
        let status = r.status().as_u16();
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let bytes = r
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .unwrap_or_default();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).to_string(),
            bytes,
        }
    }
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .find_map(|(_, v)| {
                let (kv, _) = v.split_once(';').unwrap_or((v, ""));
                let (k, val) = kv.split_once('=')?;
                (k == name).then(|| val.to_string())
            })
    }
    /// Value of the first hidden input named `name` in an HTML page.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let needle = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&needle)? + needle.len();
        let end = self.body[start..].find('"')?;
        Some(self.body[start..start + end].to_string())
    }
}

/// The test servers' web settings: rate limits off (a test signs in many times a minute from
/// one address; `ops::rate_limits_*` tests them on a server of their own).
pub fn test_web_config() -> tongban_web::WebConfig {
    tongban_web::WebConfig {
        rate_limits: tongban_web::ops::limits::RateLimits::off(),
        ..Default::default()
    }
}
