//! From `kiosk.toml` to a working client: in embedded mode the reference warehouse is started
//! in-process on a free loopback port first; in remote mode the token is read from where the
//! config says.

use thiserror::Error;

use super::client::{ClientOptions, WarehouseClient};
use super::server::{self, ServerHandle, ServerOptions};
use crate::config::{LoadedConfig, SecretSource, WarehouseMode, read_secret};

#[derive(Debug, Clone, Error)]
pub enum ConnectError {
    #[error("warehouse token: {0}")]
    Token(#[from] crate::config::ConfigError),
    #[error("embedded warehouse: {0}")]
    Embedded(String),
    #[error("warehouse client: {0}")]
    Client(#[from] super::ClientError),
    #[error("mapped warehouse: {0}")]
    Mapping(#[from] super::mapped::MappingConfigError),
}

/// A client and, in embedded mode, the server it talks to (stopped when this is dropped).
pub struct Connection {
    pub client: WarehouseClient,
    pub embedded: Option<ServerHandle>,
}

/// Must be called within a tokio runtime (the embedded server runs on it).
pub async fn connect(loaded: &LoadedConfig) -> Result<Connection, ConnectError> {
    let config = &loaded.config;
    let w = &config.warehouse;
    let options = ClientOptions::from_config(w);
    match w.mode {
        WarehouseMode::Mapped => {
            let token = read_secret(&SecretSource::new(
                &w.token_env,
                &loaded.resolve(&w.token_file),
            ))?;
            let sku_map = (!w.mapped.sku_map.as_os_str().is_empty())
                .then(|| loaded.resolve(&w.mapped.sku_map));
            let mapping =
                super::mapped::Mapping::new(&w.mapped, sku_map.as_deref(), &config.store.currency)?;
            Ok(Connection {
                client: WarehouseClient::new(w.url.as_str(), token, options)?.with_mapping(mapping),
                embedded: None,
            })
        }
        WarehouseMode::Remote => {
            let token = read_secret(&SecretSource::new(
                &w.token_env,
                &loaded.resolve(&w.token_file),
            ))?;
            if token.is_none() {
                tracing::warn!(env = %w.token_env, "no warehouse token configured; requests will be refused (401)");
            }
            Ok(Connection {
                client: WarehouseClient::new(w.url.as_str(), token, options)?,
                embedded: None,
            })
        }
        WarehouseMode::Embedded => {
            let db = loaded.resolve(&w.embedded_db);
            let fixtures = loaded.fixtures_dir();
            let store_id = config.store.id.clone();
            // A fresh random token per run: the embedded server is only for this process.
            let token = uuid::Uuid::new_v4().simple().to_string();
            let token2 = token.clone();
            let store = tokio::task::spawn_blocking(move || {
                server::open_store(&db, fixtures.as_deref(), &store_id, &token2)
            })
            .await
            .map_err(|e| ConnectError::Embedded(e.to_string()))?
            .map_err(|e| ConnectError::Embedded(e.to_string()))?;
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
                .await
                .map_err(|e| ConnectError::Embedded(e.to_string()))?;
            let server_options = ServerOptions {
                // The kiosk's own retention also bounds its embedded warehouse's copy.
                shopper_retention_days: config.privacy.order_retention_days,
                ..ServerOptions::default()
            };
            let handle = server::spawn(listener, store, &server_options)
                .map_err(|e| ConnectError::Embedded(e.to_string()))?;
            let client = WarehouseClient::new(&handle.url(), Some(token), options)?;
            Ok(Connection {
                client,
                embedded: Some(handle),
            })
        }
    }
}
