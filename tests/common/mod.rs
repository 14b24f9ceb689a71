//! Helpers shared by the integration tests (each test file includes this with `mod common;`).
#![allow(dead_code, clippy::unwrap_used)] // not every test file uses every helper

use kiosk::domain::orders::OrderDraft;
use kiosk::warehouse::protocol::{Address, Contact, OrderLine, OrderRequest};

/// A dropship order for one pair of `gtin` at `price` cents, to a Berlin address.
pub fn draft(gtin: &str, price: i64) -> OrderDraft {
    OrderDraft {
        gtin: gtin.parse().unwrap(),
        quantity: 1,
        unit_price_cents: price,
        currency: "EUR".into(),
        shipping_cents: 0,
        ship_to: Address {
            name: "Ana Li".into(),
            line1: "Hauptstr. 1".into(),
            line2: String::new(),
            postal_code: "10115".into(),
            city: "Berlin".into(),
            country: "DE".into(),
        },
        contact: Contact {
            email: "ana@example.com".into(),
            phone: String::new(),
        },
        fulfilment: Default::default(),
    }
}

/// The wire request for one pair of `gtin` at `price` for the demo store, to [`draft`]'s address.
pub fn order_request(gtin: &str, price: i64, kiosk_order_id: &str) -> OrderRequest {
    let d = draft(gtin, price);
    OrderRequest {
        store_id: "demo-store-001".into(),
        kiosk_order_id: kiosk_order_id.into(),
        lines: vec![OrderLine {
            gtin: gtin.into(),
            quantity: 1,
            unit_price_cents: price,
        }],
        currency: "EUR".into(),
        shipping_cents: 0,
        ship_to: d.ship_to,
        contact: d.contact,
        fulfilment: d.fulfilment,
    }
}
