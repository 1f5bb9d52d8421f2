//! The `tongban` binary's library half: configuration, the demo district, the commands, and
//! `spawn` which starts the real server (used by `serve`, the tests and the benchmarks).

pub mod backup;
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod inspection;
pub mod jobs;
pub mod licences;
pub mod mail;
pub mod postgres;

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
    let state = AppState::new(store.clone(), web);
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
