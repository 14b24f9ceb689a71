//! The central warehouse: the protocol, the client the kiosk uses, and the reference server.

pub mod client;
pub mod connect;
pub mod mapped;
pub mod protocol;
pub mod server;

pub use client::{ClientError, WarehouseClient};
