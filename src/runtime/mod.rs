//! What runs behind the screens for the life of a kiosk, with or without a window: the
//! database, the warehouse connection (the embedded reference warehouse in the demo), and the
//! background work — inventory sync, the order outbox sender, the health endpoint and
//! heartbeat, the analytics upkeep. The GUI, `kiosk run --headless` and the tests all start it
//! the same way; nothing here knows about a screen.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Config, LoadedConfig};
use crate::db::DbHandle;
use crate::warehouse::server::ServerHandle;
use crate::warehouse::{WarehouseClient, connect};

pub mod health;
pub mod notify;
pub mod periodic;
pub mod sync;

#[cfg(test)]
mod tests;

#[derive(Debug, Clone, thiserror::Error)]
pub enum RuntimeError {
    #[error("database {path}: {message}")]
    Database { path: PathBuf, message: String },
    #[error(transparent)]
    Warehouse(#[from] connect::ConnectError),
}

/// The kiosk's long-lived parts. Dropping it stops the background work; [`Runtime::shutdown`]
/// also waits for it to finish what it is doing (a page being written, an order being sent).
pub struct Runtime {
    /// The folder relative paths in the config are resolved against.
    pub base_dir: PathBuf,
    pub database: PathBuf,
    pub db: DbHandle,
    pub client: WarehouseClient,
    pub config: Config,
    pub assets: PathBuf,
    /// For the associate webhook.
    pub webhook: reqwest::Client,
    /// What the parts report to the health status (the GUI reports the camera).
    pub health: crate::runtime::health::Shared,
    /// The embedded warehouse, kept running for the life of the kiosk.
    embedded: Option<ServerHandle>,
    stop: Option<watch::Sender<bool>>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("store", &self.config.store.id)
            .field("background_tasks", &self.tasks.len())
            .finish()
    }
}

impl Runtime {
    /// Opens the database (building the demo one on first run), connects to the warehouse
    /// (starting the embedded one if so configured) and starts the background work. Must be
    /// called within a tokio runtime.
    pub async fn start(loaded: LoadedConfig) -> Result<Self, RuntimeError> {
        let mut runtime = Self::open(loaded.clone()).await?;
        runtime.start_background(&loaded).await;
        Ok(runtime)
    }

    /// The parts without the background work (for tests that drive the sync themselves).
    pub async fn open(loaded: LoadedConfig) -> Result<Self, RuntimeError> {
        let db_path = loaded.database_path();
        let fixtures = loaded.fixtures_dir();
        let path = db_path.clone();
        let db = tokio::task::spawn_blocking(move || {
            crate::domain::seed::open_or_seed(&path, fixtures.as_deref(), crate::db::Check::Full)
        })
        .await
        .map_err(|e| RuntimeError::Database {
            path: db_path.clone(),
            message: e.to_string(),
        })?
        .map_err(|e| RuntimeError::Database {
            path: db_path.clone(),
            message: e.to_string(),
        })?
        .0;
        let connection = connect::connect(&loaded).await?;
        let health = crate::runtime::health::Shared::default();
        health.set_camera(if loaded.config.camera.enabled {
            "starting"
        } else {
            "off"
        });
        let mut runtime = Self::from_parts(
            DbHandle::new(db),
            connection.client,
            loaded.config.clone(),
            loaded.resolve(&loaded.config.ui.assets_dir),
            connection.embedded,
        );
        runtime.base_dir = loaded.base_dir();
        runtime.database = db_path;
        runtime.health = health;
        Ok(runtime)
    }

    /// A runtime over parts made elsewhere, with no background work (GUI tests).
    pub fn from_parts(
        db: DbHandle,
        client: WarehouseClient,
        config: Config,
        assets: PathBuf,
        embedded: Option<ServerHandle>,
    ) -> Self {
        Self {
            base_dir: PathBuf::from("."),
            database: PathBuf::new(),
            db,
            client,
            config,
            assets,
            webhook: crate::runtime::notify::client(),
            health: crate::runtime::health::Shared::default(),
            embedded,
            stop: None,
            tasks: Vec::new(),
        }
    }

    /// Whether the embedded reference warehouse runs in this process.
    pub fn embedded_warehouse(&self) -> Option<std::net::SocketAddr> {
        self.embedded.as_ref().map(|e| e.addr)
    }

    /// Starts the inventory sync, the order sender, the health endpoint and heartbeat and the
    /// analytics upkeep, each until [`Runtime::shutdown`] (or drop).
    async fn start_background(&mut self, loaded: &LoadedConfig) {
        let config = &self.config;
        let (stop, stopped) = watch::channel(false);
        let options = crate::runtime::health::HealthOptions {
            store_id: config.store.id.clone(),
            file: (!config.health.file.as_os_str().is_empty())
                .then(|| loaded.resolve(&config.health.file)),
            sync_max_age_s: config.manager.sync_max_age_s.as_secs(),
            interval: config.health.interval_s,
        };
        if let Some(addr) = config.health.listen {
            match crate::runtime::health::serve(
                addr,
                self.db.clone(),
                self.health.clone(),
                options.clone(),
                stopped.clone(),
            )
            .await
            {
                Ok(bound) => tracing::info!(%bound, "health endpoint: GET /health"),
                Err(e) => tracing::warn!(error = %e, %addr, "health endpoint not started"),
            }
        }
        self.tasks
            .push(tokio::spawn(crate::runtime::health::run_fleet_heartbeat(
                self.client.clone(),
                self.db.clone(),
                self.health.clone(),
                options.clone(),
                config.store.kiosk_id.clone(),
                stopped.clone(),
            )));
        self.tasks
            .push(tokio::spawn(crate::runtime::health::run_heartbeat(
                self.db.clone(),
                self.health.clone(),
                options,
                stopped.clone(),
            )));
        crate::runtime::health::notify_ready();
        let mut sync_options = crate::runtime::sync::SyncOptions::new(&config.store.id);
        sync_options.page_size = config.warehouse.page_size;
        self.tasks
            .push(tokio::spawn(crate::runtime::sync::run_periodic(
                self.db.clone(),
                self.client.clone(),
                sync_options,
                config.warehouse.sync_interval_s,
                stopped.clone(),
            )));
        self.tasks
            .push(tokio::spawn(crate::domain::orders::run_sender(
                self.db.clone(),
                self.client.clone(),
                Duration::from_secs(5),
                config.privacy.order_retention_days,
                stopped.clone(),
            )));
        self.tasks
            .push(tokio::spawn(crate::domain::analytics::upload::run_uploads(
                self.db.clone(),
                self.client.clone(),
                config.store.id.clone(),
                config.store.kiosk_id.clone(),
                stopped.clone(),
            )));
        self.tasks
            .push(tokio::spawn(crate::domain::analytics::run_maintenance(
                self.db.clone(),
                config.privacy.event_retention_days,
                stopped,
            )));
        self.stop = Some(stop);
    }

    /// Stops the background work, waits up to `grace` for it to finish what it is doing, then
    /// stops the embedded warehouse. Whether every task stopped in time.
    pub async fn shutdown(mut self, grace: Duration) -> bool {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        let tasks = std::mem::take(&mut self.tasks);
        let all = futures_util::future::join_all(tasks);
        let finished = tokio::time::timeout(grace, all).await.is_ok();
        if !finished {
            tracing::warn!(
                ?grace,
                "background work still busy at shutdown; left behind"
            );
        }
        if let Some(embedded) = self.embedded.take() {
            embedded.shutdown().await;
        }
        finished
    }
}

/// `kiosk run --headless`: the runtime without a window until SIGINT or SIGTERM (a store's
/// back-office machine that keeps the cache, the outbox and the health file going).
pub async fn run_headless(loaded: LoadedConfig) -> Result<(), RuntimeError> {
    let runtime = Runtime::start(loaded).await?;
    // The camera belongs to the window: a headless kiosk has none, whatever the config says.
    runtime.health.set_camera("none");
    tracing::info!(
        store = %runtime.config.store.id,
        embedded_warehouse = ?runtime.embedded_warehouse(),
        "kiosk running headless; stop with SIGINT or SIGTERM"
    );
    wait_for_stop_signal().await;
    tracing::info!("stopping");
    runtime.shutdown(Duration::from_secs(10)).await;
    Ok(())
}

async fn wait_for_stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "no SIGTERM handler; stop with SIGINT");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
