//! What every screen shares: the kiosk's [`Runtime`] (database, warehouse client, config and
//! the work behind the screens) and what only a kiosk with a window has (the read chime).

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{Config, LoadedConfig};
use crate::db::DbHandle;
use crate::domain::shop_link::ShopLink;
use crate::runtime::{Runtime, RuntimeError};
use crate::warehouse::WarehouseClient;
use crate::warehouse::server::ServerHandle;

/// What every screen needs: the runtime, and the chime that confirms a camera read.
pub struct Services {
    runtime: Runtime,
    pub chime: crate::ui::chime::Chime,
    /// The web shop's link (`[shop] product_url`), compiled once; `None` without a web shop.
    pub shop_link: Option<ShopLink>,
}

/// The config's shop link; the config was checked when it loaded, so a fault here is only
/// logged (the QR codes are then left out, nothing else).
fn shop_link(config: &Config) -> Option<ShopLink> {
    ShopLink::from_config(config)
        .inspect_err(|fault| tracing::warn!(problem = %fault.problem, "no shop link"))
        .ok()
        .flatten()
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Services")
    }
}

/// Screens read the runtime's parts as their own (`services.db`, `services.config`).
impl Deref for Services {
    type Target = Runtime;
    fn deref(&self) -> &Runtime {
        &self.runtime
    }
}

impl DerefMut for Services {
    fn deref_mut(&mut self) -> &mut Runtime {
        &mut self.runtime
    }
}

impl Services {
    /// Services over parts made elsewhere, with no background work and a silent chime (tests).
    pub fn new(
        db: DbHandle,
        client: WarehouseClient,
        config: Config,
        assets: PathBuf,
        embedded: Option<ServerHandle>,
    ) -> Self {
        Self {
            shop_link: shop_link(&config),
            runtime: Runtime::from_parts(db, client, config, assets, embedded),
            chime: crate::ui::chime::Chime::silent(),
        }
    }
}

/// Starts the kiosk's runtime (database, warehouse, background work) and the chime.
pub async fn start_services(loaded: LoadedConfig) -> Result<Arc<Services>, RuntimeError> {
    let camera = &loaded.config.camera;
    let chime = if camera.enabled && camera.read_sound {
        crate::ui::chime::Chime::start(camera.read_sound_volume)
    } else {
        crate::ui::chime::Chime::silent()
    };
    let runtime = Runtime::start(loaded).await?;
    Ok(Arc::new(Services {
        shop_link: shop_link(&runtime.config),
        runtime,
        chime,
    }))
}
