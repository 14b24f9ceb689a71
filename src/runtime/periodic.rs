//! Background work on a timer (inventory sync, the order sender), stopped by a watch channel.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

/// Runs `tick` now and then every `interval` until `stop` changes. A slow tick delays the next
/// one rather than piling them up.
pub async fn every<F, Fut>(interval: Duration, mut stop: watch::Receiver<bool>, mut tick: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => tick().await,
            _ = stop.changed() => break,
        }
    }
}
