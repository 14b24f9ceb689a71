//! The endless-aisle kiosk's GUI-free core: configuration, barcodes, sizes, the SQLite catalog
//! cache, lookups and stock import. Nothing here imports `iced` or `nokhwa`; they live under
//! `ui/` and `camera/`, behind the `gui` and `camera` features.

pub mod barcode;
pub mod config;
pub mod db;
pub mod sizes;
pub mod catalog;
pub mod stock;
pub mod seed;
pub mod decode;
pub mod bench_data;
