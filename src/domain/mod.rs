//! What a shoe store knows, without screens or servers: barcodes and sizes, the catalog and its
//! stock, what the warehouse has, orders, the shopper's anonymous events and the analytics made
//! of them, and the manager's PIN.

pub mod address;
pub mod analytics;
pub mod availability;
pub mod barcode;
pub mod catalog;
pub mod events;
pub mod geo;
pub mod orders;
pub mod pin;
pub mod seed;
pub mod shop_link;
pub mod sizes;
pub mod stock;
pub mod substitutes;
