//! The command line: `tongban serve | migrate | demo | user | token | audit | log | keys | import | export | bench`.

use crate::config::Config;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use tongban_domain::accounts::{ApplicantIdentity, NewUser, Role};
use tongban_domain::calendar::{OfficeHours, YearSchedule};
use tongban_domain::ids::{IdNumber, Uscc};
use tongban_store::Store;

#[derive(Parser, Debug)]
#[command(
    name = "tongban",
    version,
    about = "通办 Tongban: government-service platform for a district, its streets and communities"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the store is: every command that touches it takes these.
#[derive(Args, Debug, Clone, Default)]
pub struct StoreArgs {
    /// Configuration file (TOML); `tongban.toml` in the working directory is read if present.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Directory of the embedded SQLite store.
    #[arg(long, global = true)]
    pub data: Option<PathBuf>,
    /// PostgreSQL URL (postgres://user:pass@host/db) instead of the embedded store.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// PostgreSQL read replica for reads that may lag (public pages, lists, the dashboard).
    #[arg(long, global = true)]
    pub read_database_url: Option<String>,
}

impl StoreArgs {
    pub fn config(&self) -> Result<Config, String> {
        let mut c = Config::load(self.config.as_deref())?;
        if let Some(d) = &self.data {
            c.data_dir = d.clone();
        }
        if let Some(u) = &self.database_url {
            c.database_url = u.clone();
        }
        if let Some(u) = &self.read_database_url {
            c.read_database_url = u.clone();
        }
        Ok(c)
    }
    pub async fn open(&self) -> Result<(Store, Config), String> {
        let c = self.config()?;
        let hours =
            OfficeHours::parse(&c.office_hours).map_err(|e| format!("office_hours: {e}"))?;
        let reminder = tongban_domain::calendar::parse_reminder_day(&c.calendar_reminder)
            .map_err(|e| format!("calendar_reminder: {e}"))?;
        let store = Store::open(&c.store_url()?)
            .await
            .map_err(|e| format!("opening the store: {e}"))?
            .with_files(c.files_dir())
            .with_mail(c.smtp().is_some())
            .with_calendar_reminder(reminder);
        store
            .set_office_hours(hours)
            .await
            .map_err(|e| format!("opening the store: {e}"))?;
        let store = store.with_keys_dir(c.keys_dir());
        let store = if c.read_database_url.is_empty() {
            store
        } else {
            store
                .with_read_replica(&c.read_database_url)
                .await
                .map_err(|e| format!("read_database_url: {e}"))?
        };
        let store = match tongban_store::keyring::load(&c.keys_dir(), "log")? {
            Some(key) => store.with_log_key(&c.log_origin, key),
            None => store,
        };
        Ok((store, c))
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the web server.
    Serve {
        /// Load the Xihu District demo into an empty store first.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Create or upgrade the store's schema, then exit.
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Load the Xihu District demo into an empty store.
    Demo {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens for machine clients.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The transparency log of electronic licences.
    Log {
        #[command(subcommand)]
        command: LogCommand,
    },
    /// Signing keys, kept outside the database.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Import catalog items from an .xlsx or .csv file (all rows valid, or nothing is imported).
    Import {
        file: PathBuf,
        /// Publish every item that changed.
        #[arg(long)]
        publish: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Export the published catalog to an .xlsx file.
    Export {
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// The working-day calendar: load a year, count as the law counts.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Run one pass of the clock job (due-soon and overdue notices, §32, broken commitments).
    Clock {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// 双随机、一公开: verify a published draw record.
    Inspection {
        #[command(subcommand)]
        command: crate::inspection::InspectionCommand,
    },
    /// Electronic licences: verify one offline.
    Licence {
        #[command(subcommand)]
        command: crate::licences::LicenceCommand,
    },
    /// Take a consistent backup into DIR (new or empty) while the server runs.
    Backup {
        dir: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Bring a backup back (stop the servers first), then check the audit chain and every file.
    Restore {
        dir: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Benchmarks (not tests): `tongban bench catalog`.
    Bench {
        #[command(subcommand)]
        command: crate::bench::BenchCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account. The password is read from TONGBAN_PASSWORD or standard input.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        /// Unit code (staff only).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        display_name: String,
        /// 统一社会信用代码 of an enterprise applicant.
        #[arg(long)]
        uscc: Option<String>,
        /// 身份证号 of a citizen applicant.
        #[arg(long)]
        id_number: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user; the token is printed as the last line, once.
    Create {
        #[arg(long)]
        user: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// Load (or replace) a year from its TOML file (format: data/calendar/README.md).
    Import {
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print the date N working days after FROM (FROM not counted).
    Add {
        from: String,
        working_days: u32,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print the number of working days in (FROM, TO].
    Between {
        from: String,
        to: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the loaded years.
    Years {
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse()
        .map_err(|_| format!("{s}: expected a date as YYYY-MM-DD"))
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Walk the hash chain; exit non-zero and name the first broken entry if any.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Make a signing key in the keys directory (`--file log` is the transparency log's key,
    /// named by `log_origin`); prints the verifier key to publish. Never overwrites a key.
    Generate {
        #[arg(long, default_value = "log")]
        file: String,
        /// The key's name (default: the log's origin).
        #[arg(long)]
        name: Option<String>,
        /// An issuing unit's key instead (`units/UNIT.key`, named by the unit's code).
        #[arg(long, conflicts_with_all = ["file", "name"])]
        unit: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Retire an issuing unit's key and make its next one: licences it signed stay valid (the
    /// retired public key is kept, with the day); new ones are signed with the new key.
    Rotate {
        #[arg(long)]
        unit: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum LogCommand {
    /// Recompute the licence transparency log from its entries; exit non-zero and name the
    /// first entry or subtree that does not match.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Witness a log: fetch its newest checkpoint, check it is consistent with the last one
    /// this witness saw, cosign it and send the cosignature.
    Witness {
        /// The platform's address (`https://…`).
        url: String,
        /// The witness's signing key (`tongban keys generate --file witness --name NAME`).
        #[arg(long)]
        key: PathBuf,
        /// Where the witness keeps the log's key and the last checkpoint it saw.
        #[arg(long)]
        state: PathBuf,
        /// The log's verifier key (default: fetched from the log on the first run).
        #[arg(long)]
        log_key: Option<String>,
    },
    /// Register a witness by its verifier key: its cosignatures are kept and published.
    AddWitness {
        key: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve {
            demo,
            listen,
            store,
        } => {
            let (mut store, mut config) = store.open().await?;
            if let Some(l) = listen {
                config.listen = l;
            }
            // The demo signs its log with a key of its own, made on the first start.
            if demo && store.log_verifier().is_none() {
                let dir = config.keys_dir();
                let key = tongban_store::keyring::generate(&dir, "log", &config.log_origin)?;
                tracing::info!(key = %key.verifier(), "made the demo's log key in {}", dir.display());
                store = store.with_log_key(&config.log_origin, key);
            }
            if demo
                && crate::demo::load_with_history(
                    &store,
                    crate::demo::HISTORY_MONTHS,
                    crate::demo::HISTORY_PER_MONTH,
                )
                .await?
            {
                tracing::info!("loaded the Xihu District demo");
            }
            let web = tongban_web::WebConfig {
                secure_cookies: config.secure_cookies(),
                public_url: config.public_url.clone(),
                metrics_token: config.metrics_token.clone(),
                trusted_proxies: config
                    .trusted_proxies
                    .iter()
                    .map(|a| {
                        a.parse()
                            .map_err(|_| format!("trusted_proxies: not an address: {a}"))
                    })
                    .collect::<Result<_, _>>()?,
                rate_limits: config.rate_limits,
            };
            let metrics = if config.metrics_listen.is_empty() {
                None
            } else {
                let listener = tokio::net::TcpListener::bind(&config.metrics_listen)
                    .await
                    .map_err(|e| format!("listening on {}: {e}", config.metrics_listen))?;
                if let Ok(a) = listener.local_addr() {
                    eprintln!("tongban: metrics on http://{a}/metrics");
                }
                let state = tongban_web::AppState::new(store.clone(), web.clone());
                Some(tokio::spawn(tongban_web::serve_metrics(
                    listener,
                    state,
                    std::future::pending(),
                )))
            };
            let running = crate::spawn(store, &config.listen, web)
                .await
                .map_err(|e| format!("listening on {}: {e}", config.listen))?;
            eprintln!("tongban: serving on http://{}", running.addr);
            let worker = crate::jobs::Worker {
                store: running.store.clone(),
                holder: crate::jobs::holder_name(),
                every: std::time::Duration::from_secs(config.clock_interval_secs),
                smtp: config.smtp(),
                backup: config.backup_schedule(),
            }
            .start();
            shutdown_signal().await;
            if let Some(w) = worker {
                w.abort();
            }
            if let Some(m) = metrics {
                m.abort();
            }
            running.stop().await;
            Ok(())
        }
        Command::Migrate { store } => {
            store.open().await?.0.close().await;
            println!("store is up to date");
            Ok(())
        }
        Command::Demo { store } => {
            let (store, _) = store.open().await?;
            let loaded = crate::demo::load_with_history(
                &store,
                crate::demo::HISTORY_MONTHS,
                crate::demo::HISTORY_PER_MONTH,
            )
            .await?;
            store.close().await;
            println!(
                "{}",
                if loaded {
                    "demo loaded"
                } else {
                    "store is not empty; nothing loaded"
                }
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    unit,
                    display_name,
                    uscc,
                    id_number,
                    store,
                },
        } => {
            let role = Role::parse(&role).ok_or_else(|| format!("unknown role {role}; one of applicant, clerk, approver, hotline_operator, supervisor, admin"))?;
            let identity = match (uscc, id_number) {
                (Some(u), _) => Some(ApplicantIdentity::Enterprise(
                    Uscc::parse(&u).map_err(|e| format!("--uscc: {e}"))?,
                )),
                (_, Some(i)) => Some(ApplicantIdentity::Citizen(
                    IdNumber::parse(&i).map_err(|e| format!("--id-number: {e}"))?,
                )),
                _ => None,
            };
            let password = match std::env::var("TONGBAN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .map_err(|e| e.to_string())?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let (store, _) = store.open().await?;
            let units = store.unit_codes().await.map_err(|e| e.to_string())?;
            let new = NewUser {
                username,
                display_name,
                role,
                unit,
                identity,
            };
            new.validate(&password, &|c| units.contains(c))
                .map_err(|e| {
                    e.0.iter()
                        .map(|f| format!("{}: {}", f.field, f.code))
                        .collect::<Vec<_>>()
                        .join("; ")
                })?;
            let hash = tongban_app::accounts::hash_password(password)
                .await
                .map_err(|e| e.to_string())?;
            store
                .create_user("cli", &new, &hash)
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            println!("created {}", new.username);
            Ok(())
        }
        Command::User {
            command: UserCommand::List { store },
        } => {
            let (store, _) = store.open().await?;
            for u in store.users().await.map_err(|e| e.to_string())? {
                println!(
                    "{}\t{}\t{}\t{}",
                    u.username,
                    u.role.as_str(),
                    u.unit.as_deref().unwrap_or("-"),
                    u.display_name
                );
            }
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { user, name, store },
        } => {
            let (store, _) = store.open().await?;
            let token = format!("tb_{}", tongban_app::accounts::random_token());
            let id = format!("tok_{}", &tongban_app::accounts::random_token()[..12]);
            store
                .create_api_token(
                    "cli",
                    &user,
                    &name,
                    &id,
                    &tongban_app::accounts::sha256_hex(&token),
                )
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            eprintln!("API token {id} for {user} (shown once):");
            println!("{token}");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { store },
        } => {
            let (store, _) = store.open().await?;
            let result = store.verify_audit().await.map_err(|e| e.to_string())?;
            store.close().await;
            match result {
                Ok(n) => {
                    println!("audit trail intact: {n} entries");
                    Ok(())
                }
                Err(b) => Err(format!("audit trail broken: {b:?}")),
            }
        }
        Command::Keys {
            command:
                KeysCommand::Generate {
                    file,
                    name,
                    unit,
                    store,
                },
        } => {
            let c = store.config()?;
            let (file, name) = match unit {
                Some(u) => (format!("units/{u}"), u),
                None => (file, name.unwrap_or_else(|| c.log_origin.clone())),
            };
            let key = tongban_store::keyring::generate(&c.keys_dir(), &file, &name)?;
            println!("{}", key.verifier());
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Rotate { unit, store },
        } => {
            let c = store.config()?;
            let ring = tongban_store::keyring::Keyring::in_dir(c.keys_dir());
            let key = ring.rotate(&unit, jiff::Zoned::now().date())?;
            println!("{}", key.verifier());
            Ok(())
        }
        Command::Log {
            command:
                LogCommand::Witness {
                    url,
                    key,
                    state,
                    log_key,
                },
        } => {
            let text =
                std::fs::read_to_string(&key).map_err(|e| format!("{}: {e}", key.display()))?;
            let signer = tongban_domain::licences::note::SignerKey::parse(&text)
                .map_err(|e| format!("{}: {e}", key.display()))?;
            let size = tokio::task::spawn_blocking(move || {
                crate::licences::witness(&url, &signer, &state, log_key.as_deref())
            })
            .await
            .map_err(|e| e.to_string())??;
            println!("cosigned the checkpoint of size {size}");
            Ok(())
        }
        Command::Log {
            command: LogCommand::AddWitness { key, store },
        } => {
            let (store, _) = store.open().await?;
            let k = store
                .register_witness("cli", &key)
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            println!("witness {} registered", k.name);
            Ok(())
        }
        Command::Log {
            command: LogCommand::Verify { store },
        } => {
            let (store, _) = store.open().await?;
            let result = store.verify_log().await.map_err(|e| e.to_string())?;
            store.close().await;
            match result {
                Ok(n) => {
                    println!("log intact: {n} entries");
                    Ok(())
                }
                Err(f) => Err(format!("log NOT intact: {f}")),
            }
        }
        Command::Import {
            file,
            publish,
            store,
        } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let (store, _) = store.open().await?;
            let imported = tongban_app::catalog::import(
                &store,
                "cli",
                &file.to_string_lossy(),
                &bytes,
                tongban_app::messages::Lang::Zh,
                publish,
                "命令行导入",
            )
            .await
            .map_err(|e| e.to_string())?;
            match imported {
                tongban_app::catalog::Imported::Done(s) => {
                    store.close().await;
                    println!(
                        "created {} updated {} unchanged {} published {}",
                        s.created, s.updated, s.unchanged, s.published
                    );
                    Ok(())
                }
                tongban_app::catalog::Imported::Refused(errors) => {
                    for e in &errors {
                        eprintln!("row {} column {}: {}", e.row, e.column, e.reason);
                    }
                    Err(format!("{} error(s); nothing imported", errors.len()))
                }
            }
        }
        Command::Export { file, store } => {
            let (store, _) = store.open().await?;
            let (bytes, n) = tongban_app::catalog::export(&store)
                .await
                .map_err(|e| e.to_string())?;
            std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
            println!("exported {n} items to {}", file.display());
            Ok(())
        }
        Command::Calendar { command } => calendar(command).await,
        Command::Inspection { command } => crate::inspection::run(command),
        Command::Licence { command } => crate::licences::run(command),
        Command::Clock { store } => {
            let (store, _) = store.open().await?;
            let r = store.run_clock().await.map_err(|e| e.to_string())?;
            let monthly = tongban_app::dashboard::monthly::catch_up(&store)
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            if let Some(m) = monthly {
                println!("monthly report {} made", m.id);
            }
            println!(
                "deemed accepted {} · notice periods ended {} · commitments broken {} · due soon {} · overdue {}",
                r.deemed_accepted,
                r.notice_periods_ended,
                r.commitments_broken,
                r.due_soon,
                r.overdue
            );
            Ok(())
        }
        Command::Backup { dir, store } => {
            let (store, config) = store.open().await?;
            let m = crate::backup::take(&store, &config.database_url, &dir).await;
            store.close().await;
            let m = m?;
            println!(
                "backup of {} entries and {} files in {}",
                m.audit_entries,
                m.files.len(),
                dir.display()
            );
            Ok(())
        }
        Command::Restore { dir, store: args } => {
            let config = args.config()?;
            let m = crate::backup::restore(&config, &dir).await?;
            println!(
                "restored the backup of {} ({} files)",
                m.taken_at,
                m.files.len()
            );
            let (store, _) = args.open().await?;
            let audit = store.verify_audit().await.map_err(|e| e.to_string());
            let files = store.verify_files().await.map_err(|e| e.to_string());
            store.close().await;
            match audit? {
                Ok(n) => println!("audit trail intact: {n} entries"),
                Err(b) => return Err(format!("audit trail broken after the restore: {b:?}")),
            }
            let (n, bad) = files?;
            if !bad.is_empty() {
                return Err(format!(
                    "{} of {n} files missing or damaged: {}",
                    bad.len(),
                    bad.join(", ")
                ));
            }
            println!("files intact: {n}");
            Ok(())
        }
        Command::Bench { command } => crate::bench::run(command).await,
    }
}

async fn calendar(command: CalendarCommand) -> Result<(), String> {
    match command {
        CalendarCommand::Import { file, store } => {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let schedule = YearSchedule::from_toml(&text).map_err(|e| {
                e.0.iter()
                    .map(|f| match &f.detail {
                        Some(d) => format!("{}: {} ({d})", f.field, f.code),
                        None => format!("{}: {}", f.field, f.code),
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
            let (store, _) = store.open().await?;
            let imported = store
                .import_calendar_year("cli", &schedule)
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            println!(
                "{} {}",
                if imported.replaced {
                    "replaced"
                } else {
                    "loaded"
                },
                schedule.year
            );
            // What the load moved, one date a line (dates binding applicants never move earlier).
            for m in imported.moves {
                println!(
                    "moved\t{} {}\t{}\t{} -> {}\t{:+} days",
                    m.record_kind, m.record_id, m.field, m.before, m.after, m.days
                );
            }
            Ok(())
        }
        CalendarCommand::Add {
            from,
            working_days,
            store,
        } => {
            let from = parse_date(&from)?;
            let (store, _) = store.open().await?;
            let cal = store.calendar();
            store.close().await;
            let due = cal
                .add_working_days(from, working_days)
                .map_err(|e| e.to_string())?;
            println!(
                "{due}{}",
                provisional_note(&cal.provisional_years(from, due))
            );
            Ok(())
        }
        CalendarCommand::Between { from, to, store } => {
            let (from, to) = (parse_date(&from)?, parse_date(&to)?);
            if to < from {
                return Err("TO must not be before FROM".into());
            }
            let (store, _) = store.open().await?;
            let cal = store.calendar();
            store.close().await;
            let n = cal
                .working_days_between(from, to)
                .map_err(|e| e.to_string())?;
            println!("{n}{}", provisional_note(&cal.provisional_years(from, to)));
            Ok(())
        }
        CalendarCommand::Years { store } => {
            let (store, _) = store.open().await?;
            for y in store.calendar_years().await.map_err(|e| e.to_string())? {
                // A provisional year is listed until its notice is loaded (statutory days only).
                println!(
                    "{}\t{}\t{} holiday days\t{} make-up workdays\t{}",
                    y.year,
                    if y.provisional {
                        "provisional"
                    } else {
                        "loaded"
                    },
                    y.holiday_days,
                    y.makeup_workdays,
                    y.notice
                );
            }
            store.close().await;
            Ok(())
        }
    }
}

/// After a computed date or count: which years it assumed from the statutory holidays alone.
fn provisional_note(years: &[i16]) -> String {
    if years.is_empty() {
        return String::new();
    }
    let years: Vec<String> = years.iter().map(i16::to_string).collect();
    format!("\tprovisional ({})", years.join(", "))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
