//! `[store]`, `[database]`, `[privacy]`: which store, where its data lives, how long shopper data is kept.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::rules::*;

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
    /// Where the store is (degrees, WGS 84): how far the chain's other stores are. Unset: the
    /// distances the warehouse gives from its own record of the store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    /// Other stores within this many km are offered for picking up today.
    pub pickup_within_km: f64,
}

impl Default for Store {
    fn default() -> Self {
        Self {
            id: "demo-store-001".into(),
            name: "Demo Shoes, Main Street".into(),
            currency: "EUR".into(),
            kiosk_id: "kiosk-1".into(),
            country: "ES".into(),
            latitude: None,
            longitude: None,
            pickup_within_km: 25.0,
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

impl Store {
    /// The store's own rules: ids that travel in URLs, an ISO currency.
    pub(super) fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        issues.extend(
            check_identifier(
                "store.id",
                &self.id,
                "store id",
                "as the warehouse knows the store",
            )
            .err(),
        );
        issues.extend(
            check_identifier(
                "store.kiosk_id",
                &self.kiosk_id,
                "kiosk id",
                "e.g. \"entrance\" or \"kiosk-2\"",
            )
            .err(),
        );
        let placed = match (self.latitude, self.longitude) {
            (None, None) => true,
            (Some(lat), Some(lon)) => {
                (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)
            }
            _ => false,
        };
        if !placed {
            issues.push(issue(
                "store.latitude",
                format!(
                    "latitude {:?} / longitude {:?} is not a place on the globe",
                    self.latitude, self.longitude
                ),
                "give both or neither, in degrees: latitude -90 to 90, longitude -180 to 180 \
                 (e.g. latitude = 40.4155, longitude = -3.7074)",
            ));
        }
        if !(self.pickup_within_km.is_finite() && (0.0..=500.0).contains(&self.pickup_within_km)) {
            issues.push(issue(
                "store.pickup_within_km",
                format!("{} km is out of range", self.pickup_within_km),
                "use 0 to 500 (km); 0 offers no other store for picking up",
            ));
        }
        let cur = &self.currency;
        if cur.len() != 3 || !cur.chars().all(|c| c.is_ascii_uppercase()) {
            issues.push(issue(
                "store.currency",
                format!("{cur:?} is not an ISO 4217 currency code"),
                "use three capital letters such as \"EUR\", \"USD\" or \"GBP\"",
            ));
        }
        issues
    }
}

impl Database {
    /// A database path must be given.
    pub(super) fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        if self.path.as_os_str().is_empty() {
            issues.push(issue(
                "database.path",
                "the database path is empty",
                "give a file name such as \"kiosk.sqlite3\"",
            ));
        }
        issues
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Privacy {
    pub order_retention_days: u32,
    /// Days raw shopper events are kept; older ones live on only as per-day summaries.
    pub event_retention_days: u32,
    /// Days a "tell me when it is back" address is kept at most (told to the shopper; the
    /// warehouse keeps it no longer, and may keep it shorter).
    pub back_in_stock_days: u32,
}

impl Default for Privacy {
    fn default() -> Self {
        Self {
            order_retention_days: 30,
            event_retention_days: 90,
            back_in_stock_days: 90,
        }
    }
}

impl Privacy {
    /// Retention within what a store can justify.
    pub(super) fn issues(&self) -> Vec<Issue> {
        let mut issues = Vec::new();
        issues.extend(
            check_range(
                "privacy.order_retention_days",
                u64::from(self.order_retention_days),
                0,
                3650,
                "days",
            )
            .err(),
        );
        issues.extend(
            check_range(
                "privacy.event_retention_days",
                u64::from(self.event_retention_days),
                1,
                3650,
                "days",
            )
            .err(),
        );
        issues.extend(
            check_range(
                "privacy.back_in_stock_days",
                u64::from(self.back_in_stock_days),
                1,
                365,
                "days",
            )
            .err(),
        );
        issues
    }
}
