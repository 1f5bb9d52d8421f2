//! The background worker every server runs: on each tick it offers to run each job of the
//! cluster — the clock pass, the monthly report, the e-mail outbox, the scheduled backup — and
//! runs those whose lease it takes (`tongban_store::jobs`). One server runs a job at a time; a
//! server killed in the middle leaves its lease to run out and a peer finishes the job; each
//! job's changes are conditional writes, so nothing is done twice.

use crate::backup::Schedule;
use crate::mail::SmtpConfig;
use jiff::SignedDuration;
use tongban_store::Store;

/// How long a server may hold a job before its peers take it as dead: longer than a pass
/// takes on a province's data.
const LEASE: SignedDuration = SignedDuration::from_secs(600);
/// A backup copies the whole database and every file: hours, on a large site.
const BACKUP_LEASE: SignedDuration = SignedDuration::from_secs(6 * 3600);

/// This process's name in leases and claims: host, process id and a random tail (a restarted
/// process is a new holder, so it never mistakes a dead run's lease for its own).
pub fn holder_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    let mut tail = [0u8; 4];
    getrandom::fill(&mut tail).expect("the system's random source");
    format!("{host}:{}:{}", std::process::id(), hex::encode(tail))
}

/// What this server's worker does.
#[derive(Clone)]
pub struct Worker {
    pub store: Store,
    pub holder: String,
    /// Time between passes: also the rest each job takes cluster-wide after a run.
    pub every: std::time::Duration,
    pub smtp: Option<SmtpConfig>,
    pub backup: Option<Schedule>,
}

/// What one tick ran on this server (the jobs it took), for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tick {
    pub ran: Vec<&'static str>,
}

impl Worker {
    /// Offers every job once.
    pub async fn tick(&self) -> Tick {
        let mut tick = Tick::default();
        // Half a tick's rest: the cluster runs each pass at least once and at most twice a tick.
        let rest = SignedDuration::try_from(self.every / 2).unwrap_or(SignedDuration::ZERO);
        let store = &self.store;
        self.run(&mut tick, "clock", LEASE, rest, async {
            let r = store.run_clock().await.map_err(|e| e.to_string())?;
            if r != Default::default() {
                tracing::info!(?r, "clock pass");
            }
            Ok(())
        })
        .await;
        self.run(&mut tick, "monthly_report", LEASE, rest, async {
            // The leadership's report of the month that ended, once (a no-op after it is made).
            let made = tongban_app::dashboard::monthly::catch_up(store)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(r) = made {
                tracing::info!(id = %r.id, "monthly report made");
            }
            Ok(())
        })
        .await;
        if let Some(smtp) = &self.smtp {
            // Rows are claimed one by one, so every server may send at once.
            match crate::mail::send_pending(store, smtp, &self.holder).await {
                Ok(n) if n > 0 => tracing::info!(sent = n, "mail pass"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail pass failed"),
            }
            tick.ran.push("mail");
        }
        if let Some(schedule) = &self.backup {
            let every = SignedDuration::try_from(schedule.every).unwrap_or(SignedDuration::ZERO);
            self.run(&mut tick, "backup", BACKUP_LEASE, every, async {
                let dir = crate::backup::scheduled(store, schedule).await?;
                tracing::info!(dir = %dir.display(), "backup taken");
                Ok(())
            })
            .await;
        }
        tick
    }

    /// Runs `job` if this server takes its lease (for `lease` at most); records the outcome, and
    /// keeps the job from running again anywhere for `rest`.
    async fn run(
        &self,
        tick: &mut Tick,
        job: &'static str,
        lease: SignedDuration,
        rest: SignedDuration,
        work: impl std::future::Future<Output = Result<(), String>>,
    ) {
        match self.store.take_lease(job, &self.holder, lease).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(job, error = %e, "could not take the job's lease");
                return;
            }
        }
        let outcome = work.await;
        if let Err(e) = &outcome {
            tracing::warn!(job, error = %e, "job failed");
        }
        match self
            .store
            .finish_lease(job, &self.holder, rest, outcome)
            .await
        {
            Ok(true) => {}
            Ok(false) => tracing::warn!(job, "the job's lease ran out before it finished"),
            Err(e) => tracing::warn!(job, error = %e, "could not record the job's run"),
        }
        tick.ran.push(job);
    }

    /// Ticks every `every` in the background (nothing when zero). A failed job is logged and
    /// offered again next tick.
    pub fn start(self) -> Option<tokio::task::JoinHandle<()>> {
        if self.every.is_zero() {
            return None;
        }
        Some(tokio::spawn(async move {
            let mut interval = tokio::time::interval(self.every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                self.tick().await;
            }
        }))
    }
}
