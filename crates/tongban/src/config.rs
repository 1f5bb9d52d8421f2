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
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A database URL may carry a password.
        let url = if self.database_url.is_empty() {
            ""
        } else {
            "<redacted>"
        };
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &url)
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
        if let Ok(v) = std::env::var("TONGBAN_LISTEN") {
            config.listen = v;
        }
        if let Ok(v) = std::env::var("TONGBAN_DATA_DIR") {
            config.data_dir = v.into();
        }
        if let Ok(v) = std::env::var("TONGBAN_DATABASE_URL") {
            config.database_url = v;
        }
        if let Ok(v) = std::env::var("TONGBAN_OFFICE_HOURS") {
            config.office_hours = v;
        }
        if let Ok(v) = std::env::var("TONGBAN_CLOCK_INTERVAL_SECS") {
            config.clock_interval_secs = v
                .parse()
                .map_err(|_| format!("TONGBAN_CLOCK_INTERVAL_SECS: not a number: {v}"))?;
        }
        if let Ok(v) = std::env::var("TONGBAN_SMTP_RELAY") {
            config.smtp_relay = v;
        }
        if let Ok(v) = std::env::var("TONGBAN_SMTP_FROM") {
            config.smtp_from = v;
        }
        if let Ok(v) = std::env::var("TONGBAN_PUBLIC_URL") {
            config.public_url = v;
        }
        if let Ok(v) = std::env::var("TONGBAN_KEYS_DIR") {
            config.keys_dir = PathBuf::from(v);
        }
        if let Ok(v) = std::env::var("TONGBAN_LOG_ORIGIN") {
            config.log_origin = v;
        }
        if let Ok(v) = std::env::var("TONGBAN_CALENDAR_REMINDER") {
            config.calendar_reminder = v;
        }
        if let Ok(v) = std::env::var("TONGBAN_SECURE_COOKIES") {
            config.secure_cookies = matches!(v.as_str(), "1" | "true" | "yes");
        }
        Ok(config)
    }

    /// The SMTP settings, when a relay is configured.
    pub fn smtp(&self) -> Option<crate::mail::SmtpConfig> {
        (!self.smtp_relay.is_empty()).then(|| crate::mail::SmtpConfig {
            relay: self.smtp_relay.clone(),
            from: self.smtp_from.clone(),
            public_url: self.public_url.clone(),
        })
    }

    /// Directory of uploaded files (content-addressed), under the data directory.
    /// Where the signing keys are.
    pub fn keys_dir(&self) -> PathBuf {
        if self.keys_dir.as_os_str().is_empty() {
            self.data_dir.join("keys")
        } else {
            self.keys_dir.clone()
        }
    }

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
