//! The endless-aisle kiosk's GUI-free core: configuration, barcodes, sizes, the SQLite catalog
//! cache, lookups and stock import. Nothing here imports `iced` or `nokhwa`; they live under
//! `ui/` and `camera/`, behind the `gui` and `camera` features.

pub mod address;
pub mod analytics;
pub mod availability;
pub mod barcode;
pub mod camera;
pub mod catalog;
pub mod checks;
pub mod chime;
pub mod config;
pub mod db;
pub mod decode;
pub mod devtools;
pub mod events;
pub mod health;
pub mod i18n;
pub mod notify;
pub mod orders;
pub mod periodic;
pub mod pin;
pub mod runtime;
pub mod seed;
pub mod sizes;
pub mod stock;
pub mod sync;
#[cfg(feature = "gui")]
pub mod ui;
pub mod warehouse;
