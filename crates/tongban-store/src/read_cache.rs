//! What the dashboard and the statistics pages read on every request, kept in memory between
//! requests. An entry is good while this process has committed no write since it was read (every
//! write bumps the generation after it commits, so a reader never keeps older data under a newer
//! generation) and for at most [`FRESH`]: another server's writes show within that time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long sums read may serve when this process has not written: the lag another server's
/// writes can have on this server's figures.
pub const FRESH: Duration = Duration::from_secs(5);

/// Entries beyond which the cache starts again (periods and scopes asked for at random).
const MOST: usize = 512;

pub struct ReadCache<T> {
    generation: Arc<AtomicU64>,
    entries: Mutex<HashMap<String, (u64, Instant, Arc<T>)>>,
}

impl<T> ReadCache<T> {
    pub fn new(generation: Arc<AtomicU64>) -> ReadCache<T> {
        ReadCache {
            generation,
            entries: Mutex::default(),
        }
    }

    /// The value under `key`, read again with `read` when it is missing, outdated or old.
    pub async fn get<F, Fut, E>(&self, key: String, read: F) -> Result<Arc<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        // Taken before reading: sums read while a write commits are kept under the older
        // generation and read again on the next request.
        let generation = self.generation.load(Ordering::Acquire);
        if let Some((g, at, v)) = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            if *g == generation && at.elapsed() < FRESH {
                return Ok(v.clone());
            }
        }
        let v = Arc::new(read().await?);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MOST {
            entries.clear();
        }
        entries.insert(key, (generation, Instant::now(), v.clone()));
        Ok(v)
    }
}
