//! `kiosk.toml`: every environment-specific setting, parsed into types (durations, URLs,
//! addresses, the camera source, each mapped operation's fields), one module per section with
//! its own rules; [`Config::validate`] gathers them with the rules spanning sections. Errors
//! name the file, the line, the key and the fix. A leaf: no other module of the kiosk is used
//! here (the subsystems' own rules are gathered by `kiosk::checks`).

mod camera;
mod error;
mod health;
mod manager;
mod rules;
mod secret;
mod shop;
mod store;
mod ui;
mod warehouse;

pub use camera::{Barcode, BarcodeFormat, Camera, CameraSource, PixelFormat};
pub use error::ConfigError;
pub use health::Health;
pub use manager::{Manager, Notifications};
pub use rules::Issue;
pub use secret::{SecretSource, read_secret};
pub use shop::Shop;
pub use store::{Database, Privacy, Store};
pub use ui::{Renderer, SizeSystemName, Theme, Ui};
pub use warehouse::{
    AvailabilityFields, CreateOrderFields, FieldMap, HttpMethod, Idempotency, Mapped, Operation,
    OrderStatusFields, StockChangesFields, Warehouse, WarehouseMode,
};

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_with::{As, DurationMilliSeconds, DurationSeconds, NoneAsEmptyString};

use rules::issue;

/// Serde adapters: a duration written as whole milliseconds or seconds (the key says which),
/// and "" for none.
pub(crate) type Millis = As<DurationMilliSeconds<u64>>;
pub(crate) type Seconds = As<DurationSeconds<u64>>;
pub(crate) type EmptyIsNone = As<NoneAsEmptyString>;

/// The environment variable that names the config file when `--config` is not given.
pub const CONFIG_ENV: &str = "KIOSK_CONFIG";
/// The file used when neither `--config` nor `KIOSK_CONFIG` is given.
pub const DEFAULT_CONFIG_FILE: &str = "kiosk.toml";

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub store: Store,
    pub database: Database,
    pub warehouse: Warehouse,
    pub camera: Camera,
    pub barcode: Barcode,
    pub ui: Ui,
    pub manager: Manager,
    pub notifications: Notifications,
    pub privacy: Privacy,
    pub health: Health,
    pub shop: Shop,
}

/// How a typed value is written, for the error when one does not parse (the type's own
/// message says what is wrong; this says what would be right).
fn how_to_write(key: &str) -> Option<&'static str> {
    Some(match key {
        "warehouse.url" => "write it as https://host/path",
        "notifications.associate_webhook" => "write it as https://host/path, or \"\" for none",
        "health.listen" => "write it like \"127.0.0.1:8790\", or \"\" for no endpoint",
        "camera.source" => "write \"device\" or \"replay:fixtures/frames\"",
        _ if key.ends_with(".method") => "use GET, POST, PUT or PATCH",
        _ if key.ends_with("_ms") => "give a whole number of milliseconds, e.g. 3000",
        _ if key.ends_with("_s") => "give a whole number of seconds, e.g. 60",
        _ => return None,
    })
}

/// A loaded, validated configuration and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// The file it was read from; `None` when no file exists and the defaults are used.
    pub source: Option<PathBuf>,
}

impl LoadedConfig {
    /// The folder relative paths in the config are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.source
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// A path from the config: absolute as it is, `~/…` in the home folder (so the demo's
    /// databases live outside the source tree), anything else relative to the config file.
    /// "" stays "": in the config it means none.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.as_os_str().is_empty() {
            return PathBuf::new();
        }
        if let Ok(in_home) = path.strip_prefix("~")
            && let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty())
        {
            return PathBuf::from(home).join(in_home);
        }
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base_dir().join(path)
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.resolve(&self.config.database.path)
    }

    /// The demo fixtures folder, or `None` when seeding is switched off.
    pub fn fixtures_dir(&self) -> Option<PathBuf> {
        let dir = &self.config.database.demo_fixtures;
        (!dir.as_os_str().is_empty()).then(|| self.resolve(dir))
    }
}

/// Finds and loads the config: `explicit` (from `--config` or `KIOSK_CONFIG`) must exist;
/// otherwise `./kiosk.toml` is used if present, else the built-in defaults.
/// Loads `explicit`, else ./kiosk.toml, else the defaults, checked with the config's own
/// rules and `more` (the subsystems': see `kiosk::checks::load`).
pub fn load_with(
    explicit: Option<&Path>,
    more: &dyn Fn(&Config) -> Vec<Issue>,
) -> Result<LoadedConfig, ConfigError> {
    let path = match explicit {
        Some(path) => path,
        None => {
            let default = Path::new(DEFAULT_CONFIG_FILE);
            if !default.exists() {
                let config = Config::default();
                let issues = more(&config);
                if !issues.is_empty() {
                    return Err(error::from_issues(
                        issues,
                        "",
                        Path::new("(built-in defaults)"),
                    ));
                }
                return Ok(LoadedConfig {
                    config,
                    source: None,
                });
            }
            default
        }
    };
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let config = parse_with(&text, path, more)?;
    Ok(LoadedConfig {
        config,
        source: Some(path.to_path_buf()),
    })
}

/// Parses and validates config text with the config's own rules; `path` is only used in
/// error messages. The kiosk loads through `kiosk::checks::load`, which adds the subsystems'.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    parse_with(text, path, &|_| Vec::new())
}

/// [`parse`], then `more` rules (the subsystems'); every broken rule is reported at once.
pub fn parse_with(
    text: &str,
    path: &Path,
    more: &dyn Fn(&Config) -> Vec<Issue>,
) -> Result<Config, ConfigError> {
    let config: Config = toml::from_str(text).map_err(|e| error::from_toml(e, text, path))?;
    let mut issues = config.validate();
    issues.extend(more(&config));
    if issues.is_empty() {
        Ok(config)
    } else {
        Err(error::from_issues(issues, text, path))
    }
}

impl Config {
    /// Rules that serde's types cannot express — each section's own, and those spanning
    /// sections: every broken one, so a file is fixed in one go. Rules that need a subsystem
    /// (countries, mapped templates, locale folders) live with it and are gathered by
    /// `kiosk::checks`.
    pub fn validate(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        issues.extend(self.store.issues());
        issues.extend(self.database.issues());
        issues.extend(self.warehouse.issues());
        issues.extend(self.camera.issues());
        issues.extend(self.barcode.issues());
        issues.extend(self.ui.issues());
        issues.extend(self.manager.issues());
        issues.extend(self.notifications.issues());
        issues.extend(self.privacy.issues());
        issues.extend(self.health.issues());
        if self.ui.idle_countdown_s >= self.manager.idle_timeout_s {
            issues.push(issue(
                "manager.idle_timeout_s",
                format!(
                    "the countdown (ui.idle_countdown_s, {} s) is not shorter than manager mode's \
                     idle timeout ({} s)",
                    self.ui.idle_countdown_s.as_secs(),
                    self.manager.idle_timeout_s.as_secs()
                ),
                "make manager.idle_timeout_s longer than ui.idle_countdown_s",
            ));
        }
        issues
    }
}

#[cfg(test)]
mod tests;
