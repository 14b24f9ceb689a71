//! `kiosk.toml`: every environment-specific setting, loaded with serde, checked in one
//! [`Config::validate`], with errors that name the file, the line, the key and the fix.

mod error;
mod secret;

pub use error::ConfigError;
pub use secret::{SecretSource, read_secret};

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_with::{As, DurationMilliSeconds, DurationSeconds, NoneAsEmptyString};
use url::Url;

/// Serde adapters: a duration written as whole milliseconds or seconds (the key says which),
/// and "" for none.
type Millis = As<DurationMilliSeconds<u64>>;
type Seconds = As<DurationSeconds<u64>>;
type EmptyIsNone = As<NoneAsEmptyString>;

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
}

/// `[health]`: what fleet monitoring can read.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Health {
    /// JSON status file, rewritten every `interval_s`; relative to the config file. "" = none.
    pub file: PathBuf,
    /// `GET /health` on this address (keep it on loopback). "" = no endpoint.
    #[serde(with = "EmptyIsNone")]
    pub listen: Option<SocketAddr>,
    /// Seconds between status writes (systemd's watchdog may ask for more often).
    #[serde(with = "Seconds")]
    pub interval_s: Duration,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            file: "~/.local/state/kiosk/kiosk-health.json".into(),
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 8790))),
            interval_s: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Store {
    pub id: String,
    pub name: String,
    pub currency: String,
    /// Which kiosk of the store this is (a store may have several): in associate calls.
    pub kiosk_id: String,
    /// The store's country (ISO 3166-1 alpha-2): first in the shopper's country list.
    pub country: String,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            id: "demo-store-001".into(),
            name: "Demo Shoes, Main Street".into(),
            currency: "EUR".into(),
            kiosk_id: "kiosk-1".into(),
            country: "ES".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Database {
    /// The SQLite cache; relative paths are relative to the config file's folder.
    pub path: PathBuf,
    /// Folder of demo data that seeds a database that does not exist yet; empty = start empty.
    pub demo_fixtures: PathBuf,
}

impl Default for Database {
    fn default() -> Self {
        Self {
            path: "~/.local/state/kiosk/kiosk.sqlite3".into(),
            demo_fixtures: "fixtures".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WarehouseMode {
    /// Start the reference warehouse in-process on 127.0.0.1 (demos, trials).
    Embedded,
    /// Talk to the warehouse at `url`.
    Remote,
    /// Talk to an existing inventory API at `url`, described in `[warehouse.mapped]`.
    Mapped,
}

/// `[warehouse.mapped]`: an existing inventory API (a commerce platform's) described without
/// code. Worked examples: `docs/examples/`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Mapped {
    /// CSV `gtin,sku` relating the catalog's GTINs to the API's SKUs or item ids (relative to
    /// the config file). "" = the API knows the GTINs themselves.
    pub sku_map: PathBuf,
    /// Working days to the shopper's door when the API does not say.
    pub delivery_days: u32,
    /// Shipping cost shown to the shopper when the API does not say.
    pub shipping_cents: i64,
    /// The platform's order statuses for each of the kiosk's: `confirmed`, `shipped`,
    /// `delivered`, `cancelled` (compared without case). Statuses not listed are read by
    /// their words (cancel… → cancelled, deliver… → delivered, ship…/fulfil… → shipped).
    pub statuses: std::collections::BTreeMap<String, Vec<String>>,
    pub availability: Option<Operation<AvailabilityFields>>,
    pub stock_changes: Option<Operation<StockChangesFields>>,
    pub create_order: Option<Operation<CreateOrderFields>>,
    pub order_status: Option<Operation<OrderStatusFields>>,
}

impl Default for Mapped {
    fn default() -> Self {
        Self {
            sku_map: PathBuf::new(),
            delivery_days: 3,
            shipping_cents: 0,
            statuses: std::collections::BTreeMap::new(),
            availability: None,
            stock_changes: None,
            create_order: None,
            order_status: None,
        }
    }
}

/// One HTTP call of a mapped API: templates (minijinja: `{{ skus|join(",") }}`,
/// `{{ order|tojson }}`) for the URL, headers and body, and where each field is found in the
/// answer (JSON Pointers, RFC 6901: `/inventory_levels`, `/node/stocks/0/quantity`).
///
/// `F` says which fields the operation has: each its own struct, so a missing one or a
/// misspelt one is an error where the file says it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Operation<F> {
    /// GET (default), POST, PUT or PATCH.
    #[serde(default)]
    pub method: HttpMethod,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Request body template ("" = none); sent as JSON.
    #[serde(default)]
    pub body: String,
    pub fields: F,
    /// create_order only: "key" (the default: the request carries `{{ idempotency_key }}`) or
    /// "none" (the platform has no such thing; an order whose fate is unknown is never sent
    /// again by itself and waits as "needs checking" for a manager).
    #[serde(default)]
    pub idempotency: Option<Idempotency>,
}

/// A mapped operation's fields by name (JSON Pointers), as the adapter reads an answer.
pub type FieldMap = std::collections::BTreeMap<String, String>;

impl<F: Serialize> Operation<F> {
    /// The same operation with its fields by name; optional fields not given are left out.
    pub fn by_name(&self) -> Operation<FieldMap> {
        let fields = match serde_json::to_value(&self.fields) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) if !s.is_empty() => Some((k, s)),
                    _ => None,
                })
                .collect(),
            _ => FieldMap::new(),
        };
        Operation {
            method: self.method,
            url: self.url.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
            fields,
            idempotency: self.idempotency,
        }
    }
}

/// Where an availability answer keeps its items and what each says.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityFields {
    /// The list of items.
    pub items: String,
    /// In each item: its SKU (or GTIN), its quantity on hand.
    pub sku: String,
    pub quantity: String,
    /// Optional: the quantity already promised (subtracted), working days to deliver.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reserved: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub delivery_days: String,
}

/// Where a stock-changes answer keeps its items, and how it pages.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StockChangesFields {
    pub items: String,
    pub sku: String,
    pub quantity: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reserved: String,
    /// Optional: each item's change time (the newest becomes the next cursor).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub updated_at: String,
    /// Optional: the platform's own cursor for the next page.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub next_cursor: String,
}

/// Where a created order's id (and, optionally, its status) is in the answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CreateOrderFields {
    pub order_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
}

/// Where an order's status is in the answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OrderStatusFields {
    pub status: String,
}

/// The HTTP methods a mapped operation may use.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    #[default]
    #[serde(alias = "get")]
    Get,
    #[serde(alias = "post")]
    Post,
    #[serde(alias = "put")]
    Put,
    #[serde(alias = "patch")]
    Patch,
}

/// Whether a platform recognises a repeated order.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Idempotency {
    /// The request carries the outbox's idempotency key; repeats are safe.
    #[default]
    Key,
    /// The platform has none: an uncertain attempt is never repeated automatically.
    None,
}

impl Mapped {
    /// The create_order operation's idempotency (the default when not said).
    pub fn order_idempotency(&self) -> Idempotency {
        self.create_order
            .as_ref()
            .and_then(|op| op.idempotency)
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Warehouse {
    pub mode: WarehouseMode,
    /// The warehouse's base URL (remote and mapped modes; embedded mode picks its own).
    pub url: Url,
    pub token_env: String,
    pub token_file: PathBuf,
    #[serde(with = "Millis")]
    pub timeout_ms: Duration,
    #[serde(with = "Millis")]
    pub connect_timeout_ms: Duration,
    pub max_retries: u32,
    #[serde(with = "Millis")]
    pub retry_backoff_ms: Duration,
    #[serde(with = "Seconds")]
    pub availability_max_age_s: Duration,
    /// The embedded warehouse's own database (embedded mode only).
    pub embedded_db: PathBuf,
    #[serde(with = "Seconds")]
    pub sync_interval_s: Duration,
    pub page_size: u32,
    /// How to talk to an existing inventory API (mode = "mapped").
    pub mapped: Mapped,
}

impl Default for Warehouse {
    fn default() -> Self {
        Self {
            mode: WarehouseMode::Embedded,
            url: Url::parse("http://127.0.0.1:8700/").expect("a valid default URL"),
            token_env: "KIOSK_WAREHOUSE_TOKEN".into(),
            token_file: PathBuf::new(),
            timeout_ms: Duration::from_millis(3000),
            connect_timeout_ms: Duration::from_millis(1000),
            max_retries: 5,
            retry_backoff_ms: Duration::from_millis(250),
            availability_max_age_s: Duration::from_secs(300),
            embedded_db: "~/.local/state/kiosk/warehouse.sqlite3".into(),
            sync_interval_s: Duration::from_secs(300),
            page_size: 1000,
            mapped: Mapped::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Camera {
    pub enabled: bool,
    /// "device" (the camera at `device`) or "replay:FOLDER" (pictures played as frames).
    pub source: CameraSource,
    /// Frames in a row that must agree on a code before it is accepted.
    pub confirm_frames: u32,
    pub device: u32,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Pixel format asked of the camera; `auto` takes MJPEG, else YUYV, else what it offers.
    pub format: PixelFormat,
    /// A short chime when the camera reads a tag (the shopper may not be looking at the screen).
    pub read_sound: bool,
    /// Loudness of that chime, 0.0-1.0.
    pub read_sound_volume: f64,
}

/// Where frames come from (`[camera] source`): the camera, or pictures played as frames (for
/// demos, tests and CI). Written "device" or "replay:FOLDER", the folder relative to the config
/// file.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(try_from = "String", into = "String")]
pub enum CameraSource {
    #[default]
    Device,
    Replay(PathBuf),
}

impl TryFrom<String> for CameraSource {
    type Error = String;

    fn try_from(text: String) -> Result<Self, String> {
        match text.trim() {
            "device" => Ok(Self::Device),
            other => match other.strip_prefix("replay:") {
                Some(dir) if !dir.trim().is_empty() => Ok(Self::Replay(dir.trim().into())),
                Some(_) => Err(
                    "\"replay:\" needs a folder of pictures, e.g. \"replay:fixtures/frames\""
                        .into(),
                ),
                None => Err(format!(
                    "{other:?} is not a camera source; use \"device\" or \"replay:FOLDER\""
                )),
            },
        }
    }
}

impl From<CameraSource> for String {
    fn from(source: CameraSource) -> Self {
        match source {
            CameraSource::Device => "device".into(),
            CameraSource::Replay(dir) => format!("replay:{}", dir.display()),
        }
    }
}

impl std::fmt::Display for CameraSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from(self.clone()))
    }
}

/// Camera pixel formats the kiosk can ask for (`[camera] format`).
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PixelFormat {
    #[default]
    Auto,
    Mjpeg,
    Yuyv,
    Nv12,
    Gray,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            enabled: true,
            source: CameraSource::Device,
            confirm_frames: 2,
            device: 0,
            width: 1280,
            height: 720,
            fps: 30,
            format: PixelFormat::Auto,
            read_sound: true,
            read_sound_volume: 0.5,
        }
    }
}

/// Symbologies the camera decoder looks for. Fewer formats decode faster.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum BarcodeFormat {
    Ean13,
    UpcA,
    UpcE,
    Ean8,
    Code128,
    QrCode,
    DataMatrix,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Barcode {
    pub formats: Vec<BarcodeFormat>,
    /// A handheld (keyboard-wedge) scanner is attached: the scan screen tells shoppers to use
    /// it, above all when the camera is not working.
    pub handheld_scanner: bool,
}

impl Default for Barcode {
    fn default() -> Self {
        use BarcodeFormat::*;
        Self {
            formats: vec![Ean13, UpcA, UpcE, Ean8, Code128, QrCode, DataMatrix],
            handheld_scanner: true,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum SizeSystemName {
    Us,
    Uk,
    Eu,
    Cm,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
    HighContrast,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Ui {
    /// Language tags with a folder in `assets/locales` (e.g. "en", "es").
    pub languages: Vec<String>,
    pub default_language: String,
    pub size_systems: Vec<SizeSystemName>,
    pub default_size_system: SizeSystemName,
    #[serde(with = "Seconds")]
    pub idle_timeout_s: Duration,
    #[serde(with = "Seconds")]
    pub idle_countdown_s: Duration,
    pub theme: Theme,
    pub fullscreen: bool,
    pub window_width: u32,
    pub window_height: u32,
    /// Pictures, drawings and texts the screens show; relative to the config file's folder.
    pub assets_dir: PathBuf,
    /// Zoom of everything on screen (1.0 = designed for 1080p).
    pub scale: f64,
    /// How the screen is drawn: the GPU (wgpu), the CPU (tiny-skia), or `auto`.
    pub renderer: Renderer,
}

/// `[ui] renderer`: `auto` lets iced choose (wgpu on any adapter it finds, including Mesa's
/// llvmpipe on a machine without a GPU; tiny-skia when there is none); the others force one.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Renderer {
    #[default]
    Auto,
    Gpu,
    Software,
}

impl Default for Ui {
    fn default() -> Self {
        Self {
            languages: vec!["en".into(), "es".into()],
            default_language: "en".into(),
            size_systems: vec![
                SizeSystemName::Eu,
                SizeSystemName::Us,
                SizeSystemName::Uk,
                SizeSystemName::Cm,
            ],
            default_size_system: SizeSystemName::Eu,
            idle_timeout_s: Duration::from_secs(60),
            idle_countdown_s: Duration::from_secs(20),
            theme: Theme::Light,
            fullscreen: false,
            window_width: 1920,
            window_height: 1080,
            assets_dir: "assets".into(),
            scale: 1.0,
            renderer: Renderer::Auto,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Manager {
    pub pin_hash_env: String,
    pub pin_hash_file: PathBuf,
    pub max_attempts: u32,
    #[serde(with = "Seconds")]
    pub lockout_s: Duration,
    /// The dashboard shows the last sync in red when it is older than this.
    #[serde(with = "Seconds")]
    pub sync_max_age_s: Duration,
    /// Folders searched (three levels deep) for stock files to import: the store's share,
    /// USB sticks. Relative paths are relative to the config file's folder.
    pub import_dirs: Vec<PathBuf>,
    /// A whole-stock (replace) import that would remove more than this share of the sizes
    /// in stock, percent, is refused unless forced: a short or wrong file must not empty the
    /// store's stock. 100 = never refused.
    pub import_max_removed_percent: u32,
    /// Seconds without a touch before manager mode asks "still there?" and then logs out: a
    /// manager reads, counts and checks the stockroom between taps, a shopper does not.
    #[serde(with = "Seconds")]
    pub idle_timeout_s: Duration,
}

impl Default for Manager {
    fn default() -> Self {
        Self {
            pin_hash_env: "KIOSK_MANAGER_PIN_HASH".into(),
            pin_hash_file: PathBuf::new(),
            max_attempts: 5,
            lockout_s: Duration::from_secs(300),
            sync_max_age_s: Duration::from_secs(3600),
            import_dirs: vec!["imports".into(), "/media".into(), "/run/media".into()],
            import_max_removed_percent: 50,
            idle_timeout_s: Duration::from_secs(600),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Notifications {
    /// POSTed when a shopper asks an associate for a size; "" = the local queue only.
    #[serde(with = "EmptyIsNone")]
    pub associate_webhook: Option<Url>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Privacy {
    pub order_retention_days: u32,
    /// Days raw shopper events are kept; older ones live on only as per-day summaries.
    pub event_retention_days: u32,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            order_retention_days: 30,
            event_retention_days: 90,
        }
    }
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

/// A rule broken by a value: which key, what is wrong, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub key: std::borrow::Cow<'static, str>,
    pub problem: String,
    pub fix: String,
}

fn issue(key: &'static str, problem: impl Into<String>, fix: impl Into<String>) -> Issue {
    Issue {
        key: key.into(),
        problem: problem.into(),
        fix: fix.into(),
    }
}

fn check_range(key: &'static str, value: u64, min: u64, max: u64, unit: &str) -> Result<(), Issue> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(issue(
            key,
            format!("{value} {unit} is out of range"),
            format!("use a value from {min} to {max} {unit}"),
        ))
    }
}

/// An id that travels in URLs and logs: 1-64 letters, digits, '-' or '_'.
/// A duration in the key's unit ("ms" or "s") within `min..=max` of that unit.
fn check_duration(
    key: &'static str,
    value: Duration,
    (min, max): (u64, u64),
    unit: &str,
) -> Result<(), Issue> {
    let whole = if unit == "ms" {
        value.as_millis()
    } else {
        u128::from(value.as_secs())
    };
    check_range(
        key,
        u64::try_from(whole).unwrap_or(u64::MAX),
        min,
        max,
        unit,
    )
}

fn check_identifier(key: &'static str, value: &str, what: &str, hint: &str) -> Result<(), Issue> {
    let ok = (1..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(issue(
            key,
            format!("{value:?} is not a valid {what}"),
            format!("use 1 to 64 letters, digits, '-' or '_', {hint}"),
        ))
    }
}

fn check_fraction(key: &'static str, value: f64, min: f64, max: f64) -> Result<(), Issue> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(issue(
            key,
            format!("{value} is out of range"),
            format!("use a value from {min:.1} to {max:.1}"),
        ))
    }
}

/// A list of enabled options must not be empty, and its default must be one of them.
fn check_choice<T: PartialEq + Serialize>(
    (list_key, list, example): (&'static str, &[T], &str),
    (default_key, default): (&'static str, &T),
) -> Result<(), Issue> {
    if list.is_empty() {
        return Err(issue(
            list_key,
            "nothing is enabled",
            format!("list at least one, e.g. {example}"),
        ));
    }
    if !list.contains(default) {
        // Shown as written in the file, e.g. "fr".
        let shown = serde_json::to_string(default).unwrap_or_default();
        return Err(issue(
            default_key,
            format!("{shown} is not in {list_key}"),
            format!("add it to {list_key} or pick one of them"),
        ));
    }
    Ok(())
}

/// A parsed URL the kiosk can call: http or https, with a host.
fn check_http_url(key: &'static str, value: &Url) -> Result<(), Issue> {
    if matches!(value.scheme(), "http" | "https") && value.host().is_some() {
        Ok(())
    } else {
        Err(issue(
            key,
            format!("{:?} is not an http(s) URL", value.as_str()),
            "write it as https://host/path",
        ))
    }
}

impl Config {
    /// Rules that serde's types cannot express, including those spanning several fields: every
    /// broken one, so a file is fixed in one go. Rules that need a subsystem (countries,
    /// mapped templates, camera sources, locale folders) live with it and are gathered by
    /// `kiosk::checks`.
    pub fn validate(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        issues.extend(
            check_identifier(
                "store.id",
                &self.store.id,
                "store id",
                "as the warehouse knows the store",
            )
            .err(),
        );
        issues.extend(
            check_identifier(
                "store.kiosk_id",
                &self.store.kiosk_id,
                "kiosk id",
                "e.g. \"entrance\" or \"kiosk-2\"",
            )
            .err(),
        );
        let cur = &self.store.currency;
        if cur.len() != 3 || !cur.chars().all(|c| c.is_ascii_uppercase()) {
            issues.push(issue(
                "store.currency",
                format!("{cur:?} is not an ISO 4217 currency code"),
                "use three capital letters such as \"EUR\", \"USD\" or \"GBP\"",
            ));
        }
        if self.database.path.as_os_str().is_empty() {
            issues.push(issue(
                "database.path",
                "the database path is empty",
                "give a file name such as \"kiosk.sqlite3\"",
            ));
        }
        let w = &self.warehouse;
        if w.mode != WarehouseMode::Embedded {
            issues.extend(check_http_url("warehouse.url", &w.url).err());
        }
        if !w.token_env.is_empty() && !w.token_file.as_os_str().is_empty() {
            issues.push(issue(
                "warehouse.token_file",
                "both token_env and token_file are set",
                "keep one: set token_env = \"\" to read the token from the file",
            ));
        }
        issues.extend(
            check_duration("warehouse.timeout_ms", w.timeout_ms, (100, 120_000), "ms").err(),
        );
        issues.extend(
            check_duration(
                "warehouse.connect_timeout_ms",
                w.connect_timeout_ms,
                (50, 60_000),
                "ms",
            )
            .err(),
        );
        if w.connect_timeout_ms > w.timeout_ms {
            issues.push(issue(
                "warehouse.connect_timeout_ms",
                format!(
                    "{} ms is longer than timeout_ms ({} ms), which includes it",
                    w.connect_timeout_ms.as_millis(),
                    w.timeout_ms.as_millis()
                ),
                "make connect_timeout_ms at most timeout_ms",
            ));
        }
        issues.extend(
            check_range(
                "warehouse.max_retries",
                u64::from(w.max_retries),
                0,
                20,
                "retries",
            )
            .err(),
        );
        issues.extend(
            check_duration(
                "warehouse.retry_backoff_ms",
                w.retry_backoff_ms,
                (10, 60_000),
                "ms",
            )
            .err(),
        );
        issues.extend(
            check_duration(
                "warehouse.availability_max_age_s",
                w.availability_max_age_s,
                (5, 86_400),
                "s",
            )
            .err(),
        );
        let c = &self.camera;
        issues.extend(check_range("camera.width", u64::from(c.width), 160, 7680, "pixels").err());
        issues.extend(check_range("camera.height", u64::from(c.height), 120, 4320, "pixels").err());
        issues
            .extend(check_range("camera.fps", u64::from(c.fps), 1, 120, "frames per second").err());
        issues.extend(
            check_fraction("camera.read_sound_volume", c.read_sound_volume, 0.0, 1.0).err(),
        );
        issues.extend(
            check_range(
                "camera.confirm_frames",
                u64::from(c.confirm_frames),
                1,
                10,
                "frames",
            )
            .err(),
        );
        if self.barcode.formats.is_empty() {
            issues.push(issue(
                "barcode.formats",
                "no barcode format is enabled",
                "list at least one, e.g. [\"ean13\", \"upc_a\"]",
            ));
        }
        let ui = &self.ui;
        issues.extend(
            check_choice(
                ("ui.languages", &ui.languages, "[\"en\"]"),
                ("ui.default_language", &ui.default_language),
            )
            .err(),
        );
        issues.extend(
            check_choice(
                ("ui.size_systems", &ui.size_systems, "[\"eu\"]"),
                ("ui.default_size_system", &ui.default_size_system),
            )
            .err(),
        );
        issues
            .extend(check_duration("ui.idle_timeout_s", ui.idle_timeout_s, (30, 3600), "s").err());
        // WCAG 2.2.1 (timing adjustable): at least 20 s to answer "are you still there?".
        issues.extend(
            check_duration("ui.idle_countdown_s", ui.idle_countdown_s, (20, 600), "s").err(),
        );
        issues.extend(check_fraction("ui.scale", ui.scale, 0.5, 4.0).err());
        issues.extend(
            check_range(
                "ui.window_width",
                u64::from(ui.window_width),
                320,
                7680,
                "pixels",
            )
            .err(),
        );
        issues.extend(
            check_range(
                "ui.window_height",
                u64::from(ui.window_height),
                320,
                7680,
                "pixels",
            )
            .err(),
        );
        if ui.idle_countdown_s >= ui.idle_timeout_s {
            issues.push(issue(
                "ui.idle_countdown_s",
                format!(
                    "the countdown ({} s) is not shorter than the idle timeout ({} s)",
                    ui.idle_countdown_s.as_secs(),
                    ui.idle_timeout_s.as_secs()
                ),
                "make idle_countdown_s smaller than idle_timeout_s",
            ));
        }
        issues.extend(
            check_range(
                "manager.max_attempts",
                u64::from(self.manager.max_attempts),
                1,
                100,
                "attempts",
            )
            .err(),
        );
        issues.extend(
            check_duration(
                "manager.lockout_s",
                self.manager.lockout_s,
                (0, 86_400),
                "s",
            )
            .err(),
        );
        issues.extend(
            check_duration(
                "manager.idle_timeout_s",
                self.manager.idle_timeout_s,
                (60, 7_200),
                "s",
            )
            .err(),
        );
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
        if let Some(webhook) = &self.notifications.associate_webhook {
            issues.extend(check_http_url("notifications.associate_webhook", webhook).err());
        }
        issues.extend(
            check_range(
                "privacy.order_retention_days",
                u64::from(self.privacy.order_retention_days),
                0,
                3650,
                "days",
            )
            .err(),
        );
        issues.extend(
            check_duration(
                "manager.sync_max_age_s",
                self.manager.sync_max_age_s,
                (60, 604_800),
                "s",
            )
            .err(),
        );
        issues.extend(
            check_range(
                "manager.import_max_removed_percent",
                u64::from(self.manager.import_max_removed_percent),
                0,
                100,
                "%",
            )
            .err(),
        );
        issues.extend(
            check_duration("health.interval_s", self.health.interval_s, (1, 3600), "s").err(),
        );
        issues.extend(
            check_range(
                "privacy.event_retention_days",
                u64::from(self.privacy.event_retention_days),
                1,
                3650,
                "days",
            )
            .err(),
        );
        issues
    }
}

#[cfg(test)]
mod tests;
