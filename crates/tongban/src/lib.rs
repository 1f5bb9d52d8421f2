//! The `tongban` binary's library half: configuration, the demo district, the commands, and
//! `spawn` which starts the real server (used by `serve`, the tests and the benchmarks).

pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod inspection;
pub mod licences;
pub mod mail;

use std::net::SocketAddr;
use tongban_store::Store;
use tongban_web::{AppState, WebConfig};

/// A running server: its address, and a handle that stops it.
pub struct Running {
    pub addr: SocketAddr,
    pub store: Store,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and closes the store.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        self.store.close().await;
    }
}

/// Binds `listen` (port 0 picks a free port) and serves `store` in the background.
pub async fn spawn(store: Store, listen: &str, web: WebConfig) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = AppState {
        store: store.clone(),
        config: web,
    };
    let task = tokio::spawn(tongban_web::serve(listener, state, async move {
        let _ = rx.await;
    }));
    Ok(Running {
        addr,
        store,
        stop: Some(tx),
        task,
    })
}

/// Runs the clock job, the monthly report job (and, with SMTP configured, the mail job) every `every` in the background
/// (none when zero). A failed pass is logged
/// and retried next time; every pass is idempotent, so a restart never double-notifies.
pub fn start_clock(
    store: Store,
    every: std::time::Duration,
    smtp: Option<mail::SmtpConfig>,
) -> Option<tokio::task::JoinHandle<()>> {
    if every.is_zero() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match store.run_clock().await {
                Ok(r) if r != Default::default() => tracing::info!(?r, "clock pass"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "clock pass failed"),
            }
            // The leadership's report of the month that ended, once (a no-op after it is made).
            match tongban_app::dashboard::monthly::catch_up(&store).await {
                Ok(Some(r)) => tracing::info!(id = %r.id, "monthly report made"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "monthly report failed"),
            }
            if let Some(smtp) = &smtp {
                if let Err(e) = mail::send_pending(&store, smtp).await {
                    tracing::warn!(error = %e, "mail pass failed");
                }
            }
        }
    }))
}
