//! The endless-aisle kiosk, grouped by role:
//!
//! - `domain/` — what a shoe store knows: barcodes, sizes, the catalog and its stock, what the
//!   warehouse has, orders, shopper events and analytics, the manager's PIN. Pure logic over the
//!   database; no screens, no network servers.
//! - `db/` — the SQLite file and its migrations.
//! - `warehouse/` — the warehouse interface (native protocol or a mapped third-party API) and
//!   the reference warehouse server.
//! - `runtime/` — what runs behind the screens: sync, the order sender, health, notifications.
//! - `camera/` — frames, the barcode decoder and the scan pipeline (nokhwa in `device.rs` only).
//! - `config/` and `checks` — `kiosk.toml`, typed, and the checks that need a subsystem.
//! - `ui/` — the touchscreen (iced, behind the `gui` feature); `cli/` — the store tools.
//! - `devtools/` — generated data for benchmarks and the barcode corpus; not on the kiosk's path.

pub mod camera;
pub mod checks;
pub mod config;
pub mod db;
pub mod devtools;
pub mod domain;
pub mod i18n;
pub mod runtime;
#[cfg(feature = "gui")]
pub mod ui;
pub mod warehouse;
