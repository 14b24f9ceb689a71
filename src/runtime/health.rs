//! What fleet monitoring reads: a small JSON status (last heartbeat, last sync, outbox depth,
//! camera state) written to a file and served on a local port, and the systemd watchdog
//! heartbeat. No shopper data is ever part of it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::db::DbHandle;

/// The status as JSON: stable field names, for monitoring tools.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Status {
    pub version: &'static str,
    pub store_id: String,
    /// When this status was written (RFC 3339, UTC).
    pub heartbeat_at: String,
    /// The last completed catalog or stock sync, if any.
    pub last_sync_at: Option<String>,
    pub last_sync_age_s: Option<u64>,
    /// Dropship orders not confirmed by the warehouse yet.
    pub outbox_pending: u64,
    /// "active", "unavailable", "starting", "off" or "none" (no GUI running).
    pub camera: String,
    /// Everything fine: the database answers and the last sync is not older than the limit.
    pub ok: bool,
    pub problems: Vec<String>,
}

/// What the GUI knows and the core reports (the camera state).
#[derive(Debug, Clone, Default)]
pub struct Shared {
    camera: Arc<Mutex<String>>,
}

impl Shared {
    pub fn set_camera(&self, state: &str) {
        let mut camera = self.camera.lock().unwrap_or_else(|p| p.into_inner());
        if camera.as_str() != state {
            state.clone_into(&mut camera);
        }
    }

    fn camera(&self) -> String {
        let camera = self.camera.lock().unwrap_or_else(|p| p.into_inner());
        if camera.is_empty() {
            "none".to_owned()
        } else {
            camera.clone()
        }
    }
}

#[derive(Debug, Clone)]
pub struct HealthOptions {
    pub store_id: String,
    /// Where to write the status ("" in config: nowhere).
    pub file: Option<PathBuf>,
    /// Sync older than this is a problem.
    pub sync_max_age_s: u64,
    /// How often to write the status when systemd's watchdog does not ask for more often.
    pub interval: Duration,
}

/// Reads the status from the database now.
pub async fn status(db: &DbHandle, shared: &Shared, options: &HealthOptions) -> Status {
    let heartbeat_at = crate::db::now_rfc3339();
    let mut problems = Vec::new();
    // Only what is reported: two feed rows and one count (this runs every few seconds and
    // on every monitoring request, so no full-table counts).
    let read = db
        .call(|db| {
            let feeds = [
                db.feed(crate::runtime::sync::CATALOG_FEED)?,
                db.feed(crate::runtime::sync::STOCK_FEED)?,
            ];
            let last = crate::runtime::sync::last_sync_at(feeds.iter().flatten());
            Ok((last, db.pending_orders()?))
        })
        .await;
    let (last_sync, outbox_pending) = match &read {
        Ok(read) => *read,
        Err(e) => {
            problems.push(format!("database: {e}"));
            (None, 0)
        }
    };
    let last_sync_at = last_sync.map(|t| t.to_string());
    let last_sync_age_s =
        last_sync.map(|t| jiff::Timestamp::now().duration_since(t).as_secs().max(0) as u64);
    match last_sync_age_s {
        Some(age) if age > options.sync_max_age_s => {
            problems.push(format!(
                "last sync {age} s ago (limit {} s)",
                options.sync_max_age_s
            ));
        }
        None if read.is_ok() => problems.push("never synced with the warehouse".to_owned()),
        _ => {}
    }
    let camera = shared.camera();
    if camera == "unavailable" {
        problems.push("camera unavailable".to_owned());
    }
    Status {
        version: env!("CARGO_PKG_VERSION"),
        store_id: options.store_id.clone(),
        heartbeat_at,
        last_sync_at,
        last_sync_age_s,
        outbox_pending,
        camera,
        ok: problems.is_empty(),
        problems,
    }
}

/// Writes `status` to `path` through a temporary file and a rename: readers never see half.
pub fn write_file(path: &std::path::Path, status: &Status) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(
        &tmp,
        serde_json::to_vec_pretty(status).map_err(std::io::Error::other)?,
    )?;
    std::fs::rename(tmp, path)
}

/// Tells systemd the service is ready (a no-op when not started by systemd).
pub fn notify_ready() {
    if let Err(e) = sd_notify::notify(false, &[sd_notify::NotifyState::Ready]) {
        tracing::warn!(error = %e, "could not notify systemd");
    }
}

/// systemd's watchdog time (`WatchdogSec=`), when it watches this process — or its parent,
/// when the kiosk runs inside a compositor that is the service's main process
/// (`kiosk-cage.service`, `NotifyAccess=all`).
fn watchdog_limit() -> Option<Duration> {
    let mut usec = 0;
    if sd_notify::watchdog_enabled(false, &mut usec) {
        return Some(Duration::from_micros(usec));
    }
    let var = |name| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    match (var("WATCHDOG_USEC"), var("WATCHDOG_PID")) {
        (Some(usec), Some(pid)) if pid == u64::from(std::os::unix::process::parent_id()) => {
            Some(Duration::from_micros(usec))
        }
        _ => None,
    }
}

/// Only the watchdog heartbeat, at half systemd's watchdog time, until `stop` fires; nothing
/// when systemd does not watch (services without a health file: `kiosk warehouse serve`).
pub async fn run_watchdog(stop: tokio::sync::watch::Receiver<bool>) {
    let Some(limit) = watchdog_limit() else {
        return;
    };
    crate::runtime::periodic::every(limit / 2, stop, || async {
        if let Err(e) = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog]) {
            tracing::warn!(error = %e, "watchdog heartbeat failed");
        }
    })
    .await;
}

/// Every `interval` (or half of systemd's watchdog time, if shorter): writes the status file
/// and sends the watchdog heartbeat, until `stop` fires. A hung process stops beating and
/// systemd restarts it.
pub async fn run_heartbeat(
    db: DbHandle,
    shared: Shared,
    options: HealthOptions,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let watchdog = watchdog_limit();
    let interval = match watchdog {
        Some(limit) => options.interval.min(limit / 2),
        None => options.interval,
    };
    tracing::info!(?interval, watchdog = watchdog.is_some(), "health heartbeat");
    crate::runtime::periodic::every(interval, stop, || async {
        let status = status(&db, &shared, &options).await;
        if let Some(file) = &options.file
            && let Err(e) = write_file(file, &status)
        {
            tracing::warn!(error = %e, file = %file.display(), "cannot write the health file");
        }
        if watchdog.is_some()
            && let Err(e) = sd_notify::notify(false, &[sd_notify::NotifyState::Watchdog])
        {
            tracing::warn!(error = %e, "watchdog heartbeat failed");
        }
    })
    .await;
}

/// The status as the warehouse's fleet list keeps it.
pub fn heartbeat(status: &Status) -> crate::warehouse::protocol::Heartbeat {
    crate::warehouse::protocol::Heartbeat {
        version: status.version.to_owned(),
        at: status.heartbeat_at.clone(),
        last_sync_at: status.last_sync_at.clone(),
        outbox_pending: status.outbox_pending,
        camera: status.camera.clone(),
        ok: status.ok,
        // Within what the warehouse keeps (20 problems of 500 characters).
        problems: status
            .problems
            .iter()
            .take(20)
            .map(|p| p.chars().take(500).collect())
            .collect(),
    }
}

/// How often a kiosk reports to the warehouse's fleet list.
pub const FLEET_INTERVAL: Duration = Duration::from_secs(60);

/// Every [`FLEET_INTERVAL`]: this kiosk's health to the warehouse, until `stop` fires. A
/// warehouse without a fleet (a mapped platform) is not asked; a missed beat is only logged
/// (the list shows the kiosk as stale, which is the point).
pub async fn run_fleet_heartbeat(
    client: crate::warehouse::WarehouseClient,
    db: DbHandle,
    shared: Shared,
    options: HealthOptions,
    kiosk_id: String,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    if !client.offers_pickup() {
        return;
    }
    crate::runtime::periodic::every(FLEET_INTERVAL, stop, || async {
        let beat = heartbeat(&status(&db, &shared, &options).await);
        if let Err(e) = client.heartbeat(&options.store_id, &kiosk_id, &beat).await {
            tracing::debug!(error = %e.summary(), "fleet heartbeat not delivered");
        }
    })
    .await;
}

/// Serves the status as JSON at `GET /health` on `addr` (loopback in the shipped config),
/// 200 when ok and 503 when not, until `stop` fires.
pub async fn serve(
    addr: SocketAddr,
    db: DbHandle,
    shared: Shared,
    options: HealthOptions,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<SocketAddr> {
    use axum::http::StatusCode;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/health",
        axum::routing::get(move || {
            let (db, shared, options) = (db.clone(), shared.clone(), options.clone());
            async move {
                let status = status(&db, &shared, &options).await;
                let code = if status.ok {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                };
                (code, axum::Json(status))
            }
        }),
    );
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop.changed().await;
        };
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::warn!(error = %e, "health endpoint stopped");
        }
    });
    Ok(bound)
}
