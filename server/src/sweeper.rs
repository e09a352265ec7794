//! The background sweeper: deletes data whose lifecycle ran out, then collects
//! the blobs nothing references any more.

use crate::store::{expiry, Store, StoreError};
use std::sync::Arc;
use std::time::Duration;

/// Shortest accepted sweep interval: a zero interval would spin.
pub const MIN_INTERVAL: Duration = Duration::from_millis(10);
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// One sweep at the store's (shifted) clock.
pub fn sweep_once(store: &Store) -> Result<expiry::Swept, StoreError> {
    let swept = expiry::sweep(&mut store.db(), store.clock.now())?;
    if swept.files > 0 {
        let blobs = store.gc()?;
        eprintln!(
            "agentbay-local: lifecycle expired {} file(s) and {} folder(s); {blobs} blob(s) freed",
            swept.files, swept.dirs
        );
    }
    Ok(swept)
}

/// Sweeps every `interval` (the first sweep after one interval: start-up sweeps synchronously).
pub fn spawn(store: Arc<Store>, interval: Duration) -> tokio::task::JoinHandle<()> {
    let interval = interval.max(MIN_INTERVAL);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let store = store.clone();
            match tokio::task::spawn_blocking(move || sweep_once(&store)).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => eprintln!("agentbay-local: lifecycle sweep failed (retried next interval): {e}"),
                Err(e) => eprintln!("agentbay-local: lifecycle sweep crashed (retried next interval): {e}"),
            }
        }
    })
}
