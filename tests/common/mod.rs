//! Helpers shared by the integration tests (each test file includes this with `mod common;`).
#![allow(dead_code, clippy::unwrap_used)] // not every test file uses every helper

use kiosk::domain::orders::OrderDraft;
use kiosk::warehouse::protocol::{Address, Contact};

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
