//! One typed configuration: defaults, then a TOML file, then `TONGBAN_*` environment variables,
//! then command-line flags. Secrets are redacted in `Debug`.

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Directory of the embedded SQLite store (used when `database_url` is empty).
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of the embedded store.
    pub database_url: String,
    /// Mark cookies Secure (serve behind HTTPS).
    pub secure_cookies: bool,
    /// Office hours for half-day limits, Asia/Shanghai wall clock: `09:00-12:00,13:30-17:30`.
    pub office_hours: String,
    /// Seconds between passes of the clock job (due-soon/overdue notices, §32, commitments);
    /// 0 turns it off on this server.
    pub clock_interval_secs: u64,
    /// SMTP relay `host:port` for e-mail notices; empty sends none (the in-app inbox remains).
    pub smtp_relay: String,
    /// Sender address of e-mail notices.
    pub smtp_from: String,
    /// Base URL of the platform, for links in e-mail.
    pub public_url: String,
    /// `MM-DD` from which administrators are reminded to load next year's holiday notice.
    pub calendar_reminder: String,
    /// Directory of signing keys, kept out of the database (`tongban keys generate`); empty for
    /// `keys` beside the data directory.
    pub keys_dir: PathBuf,
    /// The licence transparency log's name (its checkpoints' origin line).
    pub log_origin: String,
    /// `postgres://…` of a read replica: reads that may lag (public pages, lists, the dashboard)
    /// go there, everything else to `database_url`. Empty: everything to the primary.
    pub read_database_url: String,
    /// Bearer token `/metrics` asks for on the main listener; empty: not served there.
    pub metrics_token: String,
    /// An address of its own for `/metrics` (no token), e.g. `127.0.0.1:9464`; empty: none.
    pub metrics_listen: String,
    /// `text` (default) or `json`: one JSON object per line, with the request id.
    pub log_format: String,
    /// Reverse proxies whose `X-Forwarded-For` names the client (rate limits, login throttling).
    pub trusted_proxies: Vec<String>,
    /// Requests a minute per client address (0 turns one off).
    pub rate_limits: tongban_web::ops::limits::RateLimits,
    /// Directory of scheduled backups; empty: none scheduled (`tongban backup DIR` by hand).
    pub backup_dir: PathBuf,
    /// Hours between scheduled backups (taken by one server of the cluster); 0: none.
    pub backup_every_hours: u64,
    /// Scheduled backups kept (the oldest removed beyond it).
    pub backup_keep: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("tongban-data"),
            database_url: String::new(),
            secure_cookies: false,
            office_hours: "09:00-12:00,13:30-17:30".into(),
            clock_interval_secs: 60,
            smtp_relay: String::new(),
            smtp_from: "tongban@localhost".into(),
            public_url: "http://127.0.0.1:8080".into(),
            calendar_reminder: "10-01".into(),
            keys_dir: PathBuf::new(),
            log_origin: "xihu.tongban.example/licences".into(),
            read_database_url: String::new(),
            metrics_token: String::new(),
            metrics_listen: String::new(),
            log_format: "text".into(),
            trusted_proxies: Vec::new(),
            rate_limits: Default::default(),
            backup_dir: PathBuf::new(),
            backup_every_hours: 24,
            backup_keep: 7,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A database URL may carry a password.
        let redact = |s: &str| if s.is_empty() { "" } else { "<redacted>" };
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact(&self.database_url))
            .field("read_database_url", &redact(&self.read_database_url))
            .field("metrics_token", &redact(&self.metrics_token))
            .field("metrics_listen", &self.metrics_listen)
            .field("log_format", &self.log_format)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("rate_limits", &self.rate_limits)
            .field("backup_dir", &self.backup_dir)
            .field("backup_every_hours", &self.backup_every_hours)
            .field("backup_keep", &self.backup_keep)
            .field("secure_cookies", &self.secure_cookies)
            .field("office_hours", &self.office_hours)
            .field("clock_interval_secs", &self.clock_interval_secs)
            .field("smtp_relay", &self.smtp_relay)
            .field("smtp_from", &self.smtp_from)
            .field("public_url", &self.public_url)
            .field("calendar_reminder", &self.calendar_reminder)
            .field("keys_dir", &self.keys_dir)
            .field("log_origin", &self.log_origin)
            .finish()
    }
}

impl Config {
    /// Loads `file` (if given, or `tongban.toml` in the working directory if present), then the
    /// environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Config, String> {
        let mut config = Config::default();
        let default_file = PathBuf::from("tongban.toml");
        let path = file
            .map(PathBuf::from)
            .or_else(|| default_file.exists().then_some(default_file));
        if let Some(path) = path {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            config = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        // Each key's environment variable, when set, wins over the file.
        let var = |name: &str| std::env::var(name).ok();
        let number = |name: &str| -> Result<Option<u64>, String> {
            var(name)
                .map(|v| v.parse().map_err(|_| format!("{name}: not a number: {v}")))
                .transpose()
        };
        for (name, into) in [
            ("TONGBAN_LISTEN", &mut config.listen),
            ("TONGBAN_DATABASE_URL", &mut config.database_url),
            ("TONGBAN_READ_DATABASE_URL", &mut config.read_database_url),
            ("TONGBAN_OFFICE_HOURS", &mut config.office_hours),
            ("TONGBAN_SMTP_RELAY", &mut config.smtp_relay),
            ("TONGBAN_SMTP_FROM", &mut config.smtp_from),
            ("TONGBAN_PUBLIC_URL", &mut config.public_url),
            ("TONGBAN_LOG_ORIGIN", &mut config.log_origin),
            ("TONGBAN_CALENDAR_REMINDER", &mut config.calendar_reminder),
            ("TONGBAN_METRICS_TOKEN", &mut config.metrics_token),
            ("TONGBAN_METRICS_LISTEN", &mut config.metrics_listen),
            ("TONGBAN_LOG_FORMAT", &mut config.log_format),
        ] {
            if let Some(v) = var(name) {
                *into = v;
            }
        }
        for (name, into) in [
            ("TONGBAN_DATA_DIR", &mut config.data_dir),
            ("TONGBAN_KEYS_DIR", &mut config.keys_dir),
            ("TONGBAN_BACKUP_DIR", &mut config.backup_dir),
        ] {
            if let Some(v) = var(name) {
                *into = v.into();
            }
        }
        if let Some(v) = var("TONGBAN_SECURE_COOKIES") {
            config.secure_cookies = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(n) = number("TONGBAN_CLOCK_INTERVAL_SECS")? {
            config.clock_interval_secs = n;
        }
        if let Some(v) = var("TONGBAN_TRUSTED_PROXIES") {
            config.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(n) = number("TONGBAN_BACKUP_EVERY_HOURS")? {
            config.backup_every_hours = n;
        }
        if let Some(n) = number("TONGBAN_BACKUP_KEEP")? {
            config.backup_keep = n as usize;
        }
        let limits = &mut config.rate_limits;
        for (name, into) in [
            ("TONGBAN_RATE_LIMIT_LOGIN", &mut limits.login),
            ("TONGBAN_RATE_LIMIT_REGISTER", &mut limits.register),
            ("TONGBAN_RATE_LIMIT_PUBLIC_FORMS", &mut limits.public_forms),
            ("TONGBAN_RATE_LIMIT_OPEN311", &mut limits.open311),
        ] {
            if let Some(n) = number(name)? {
                *into = n as u32;
            }
        }
        if !matches!(config.log_format.as_str(), "text" | "json") {
            return Err(format!(
                "log_format: {} (one of text, json)",
                config.log_format
            ));
        }
        Ok(config)
    }

    /// Cookies are Secure when asked, and whenever the platform is reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies || self.public_url.starts_with("https://")
    }

    /// The scheduled backup, when configured.
    pub fn backup_schedule(&self) -> Option<crate::backup::Schedule> {
        (!self.backup_dir.as_os_str().is_empty() && self.backup_every_hours > 0).then(|| {
            crate::backup::Schedule {
                dir: self.backup_dir.clone(),
                every: std::time::Duration::from_secs(self.backup_every_hours * 3600),
                keep: self.backup_keep,
                database_url: self.database_url.clone(),
            }
        })
    }

    /// The SMTP settings, when a relay is configured.
    pub fn smtp(&self) -> Option<crate::mail::SmtpConfig> {
        (!self.smtp_relay.is_empty()).then(|| crate::mail::SmtpConfig {
            relay: self.smtp_relay.clone(),
            from: self.smtp_from.clone(),
            public_url: self.public_url.clone(),
        })
    }

    /// Where the signing keys are.
    pub fn keys_dir(&self) -> PathBuf {
        if self.keys_dir.as_os_str().is_empty() {
            self.data_dir.join("keys")
        } else {
            self.keys_dir.clone()
        }
    }

    /// Directory of uploaded files (content-addressed), under the data directory.
    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    /// The store URL: PostgreSQL if configured, else the SQLite file under the data directory.
    pub fn store_url(&self) -> Result<String, String> {
        if !self.database_url.is_empty() {
            return Ok(self.database_url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| format!("{}: {e}", self.data_dir.display()))?;
        Ok(format!(
            "sqlite://{}",
            self.data_dir.join("tongban.db").display()
        ))
    }
}

/// The log format before any command has read its configuration (logging starts first): the
/// environment's, else the configuration file's (`--config FILE`, or `tongban.toml`), else text.
pub fn log_format_of(args: impl Iterator<Item = String>) -> String {
    if let Ok(v) = std::env::var("TONGBAN_LOG_FORMAT") {
        return v;
    }
    let args: Vec<String> = args.collect();
    let file = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--config=").map(String::from).or_else(|| {
            (a == "--config")
                .then(|| args.get(i + 1).cloned())
                .flatten()
        })
    });
    Config::load(file.as_deref().map(std::path::Path::new))
        .map(|c| c.log_format)
        .unwrap_or_else(|_| "text".into())
}
