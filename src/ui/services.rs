//! What every screen shares: the database, the warehouse client, the config, and the work
//! that runs behind the screens for the life of the kiosk.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{Config, LoadedConfig};
use crate::db::DbHandle;
use crate::orders;
use crate::warehouse::server::ServerHandle;
use crate::warehouse::{WarehouseClient, connect};

/// What every screen needs: shared, long-lived handles.
pub struct Services {
    /// The folder relative paths in the config are resolved against.
    pub base_dir: PathBuf,
    pub database: PathBuf,
    pub db: DbHandle,
    pub client: WarehouseClient,
    pub config: Config,
    pub assets: PathBuf,
    /// Confirms a camera read with a sound.
    pub chime: crate::chime::Chime,
    /// For the associate webhook.
    pub webhook: reqwest::Client,
    /// What the screens report to the health status (the camera).
    pub health: crate::health::Shared,
    /// The embedded warehouse, kept running for the life of the kiosk.
    _embedded: Option<ServerHandle>,
    /// Dropping it stops the background work (sync, order sender, event maintenance).
    _background: Option<tokio::sync::watch::Sender<bool>>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Services")
    }
}

impl Services {
    pub fn new(
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
            chime: crate::chime::Chime::silent(),
            health: crate::health::Shared::default(),
            webhook: crate::notify::client(),
            _embedded: embedded,
            _background: None,
        }
    }
}

/// Opens the database (building the demo one on first run) and connects to the warehouse.
pub async fn start_services(loaded: LoadedConfig) -> Result<Arc<Services>, String> {
    let db_path = loaded.database_path();
    let fixtures = loaded.fixtures_dir();
    let db = tokio::task::spawn_blocking(move || {
        crate::seed::open_or_seed(&db_path, fixtures.as_deref())
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?
    .0;
    let connection = connect::connect(&loaded).await.map_err(|e| e.to_string())?;
    let db = DbHandle::new(db);
    let health = crate::health::Shared::default();
    health.set_camera(if loaded.config.camera.enabled {
        "starting"
    } else {
        "off"
    });
    let background = start_background(&loaded, &db, &connection.client, &health).await;
    Ok(Arc::new(Services {
        base_dir: loaded.base_dir(),
        database: loaded.database_path(),
        db,
        client: connection.client,
        assets: loaded.resolve(&loaded.config.ui.assets_dir),
        chime: if loaded.config.camera.enabled && loaded.config.camera.read_sound {
            crate::chime::Chime::start(loaded.config.camera.read_sound_volume)
        } else {
            crate::chime::Chime::silent()
        },
        config: loaded.config,
        _embedded: connection.embedded,
        _background: Some(background),
        health,
        webhook: crate::notify::client(),
    }))
}

/// What runs behind the screens for the life of the kiosk: the inventory sync, the order
/// outbox sender (retries, purging shopper details) and the analytics upkeep.
async fn start_background(
    loaded: &LoadedConfig,
    db: &DbHandle,
    client: &WarehouseClient,
    health: &crate::health::Shared,
) -> tokio::sync::watch::Sender<bool> {
    let config = &loaded.config;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let options = crate::health::HealthOptions {
        store_id: config.store.id.clone(),
        file: (!config.health.file.as_os_str().is_empty())
            .then(|| loaded.resolve(&config.health.file)),
        sync_max_age_s: config.manager.sync_max_age_s,
        interval: Duration::from_secs(config.health.interval_s),
    };
    if let Ok(addr) = config.health.listen.parse() {
        match crate::health::serve(
            addr,
            db.clone(),
            health.clone(),
            options.clone(),
            stopped.clone(),
        )
        .await
        {
            Ok(bound) => tracing::info!(%bound, "health endpoint: GET /health"),
            Err(e) => tracing::warn!(error = %e, %addr, "health endpoint not started"),
        }
    }
    tokio::spawn(crate::health::run_heartbeat(
        db.clone(),
        health.clone(),
        options,
        stopped.clone(),
    ));
    crate::health::notify_ready();
    let mut options = crate::sync::SyncOptions::new(&config.store.id);
    options.page_size = config.warehouse.page_size;
    tokio::spawn(crate::sync::run_periodic(
        db.clone(),
        client.clone(),
        options,
        Duration::from_secs(config.warehouse.sync_interval_s),
        stopped.clone(),
    ));
    tokio::spawn(orders::run_sender(
        db.clone(),
        client.clone(),
        Duration::from_secs(5),
        config.privacy.order_retention_days,
        stopped.clone(),
    ));
    tokio::spawn(crate::analytics::run_maintenance(
        db.clone(),
        config.privacy.event_retention_days,
        stopped,
    ));
    stop
}
