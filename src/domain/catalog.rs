//! Scanned code -> variant -> style -> the whole size grid with this store's stock and the
//! cached warehouse availability, in one indexed query.

use rusqlite::Connection;
use serde::Serialize;
use thiserror::Error;

use crate::db::DbError;
use crate::domain::barcode::{self, BarcodeError, Gtin, Scan, Symbology};
use crate::domain::geo::Position;
use crate::domain::sizes::{SizeChart, SizeLabels, Width};

/// A style as the kiosk shows it: the same record the warehouse sends.
pub use crate::warehouse::protocol::StyleRecord as Style;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarehouseAvailability {
    pub quantity: u32,
    pub delivery_estimate: Option<String>,
    pub fetched_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GridEntry {
    pub gtin: Gtin,
    pub size_mm: u16,
    pub width: Width,
    pub labels: SizeLabels,
    /// `None`: this store never stocked the size; `Some(0)`: stocked, sold out.
    pub store_quantity: Option<u32>,
    pub store_updated_at: Option<String>,
    /// Last known warehouse availability, if it was ever fetched.
    pub warehouse: Option<WarehouseAvailability>,
    /// The chain's other stores that had the size on the shelf when the warehouse was last
    /// asked (the nearest few it knows), by store id.
    pub elsewhere: Vec<OtherStore>,
}

/// Pairs of a size on another store's shelf, and where that store is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherStore {
    pub store_id: String,
    pub name: String,
    pub address: String,
    pub position: Option<Position>,
    pub quantity: u32,
    /// Metres from this store by the warehouse's record of both stores, when it knows them.
    pub warehouse_distance_m: Option<u32>,
}

/// Which other stores a shopper can go to today: those within `within_km` of `here`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PickUpReach {
    /// This store's position (`[store]`); `None`: the distances the warehouse gave.
    pub here: Option<Position>,
    pub within_km: f64,
}

impl PickUpReach {
    /// The reach `[store]` configures.
    pub fn of(store: &crate::config::Store) -> Self {
        Self {
            here: Position::checked(store.latitude, store.longitude),
            within_km: store.pickup_within_km,
        }
    }
}

/// Another store a shopper could fetch the size from today, and how far it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearbyStore<'a> {
    pub store: &'a OtherStore,
    /// Metres from this store; `None` when neither the kiosk nor the warehouse knows.
    pub distance_m: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeGrid {
    /// The GTIN that was scanned (one of the entries).
    pub scanned: Gtin,
    pub style: Style,
    /// Every size of the style, smallest first, standard width before wide.
    pub sizes: Vec<GridEntry>,
}

impl SizeGrid {
    pub fn scanned_entry(&self) -> Option<&GridEntry> {
        self.sizes.iter().find(|e| e.gtin == self.scanned)
    }
}

#[derive(Debug, Clone, Error)]
pub enum LookupError {
    #[error("{0}")]
    Barcode(#[from] BarcodeError),
    #[error("GTIN {0} is not in this store's catalog")]
    UnknownProduct(Gtin),
    #[error(transparent)]
    Db(#[from] DbError),
}

const GRID_SQL: &str = "
    SELECT s.style_code, s.brand, s.name, s.colour, s.gender, s.price_cents, s.currency,
           s.image, s.description, s.fit_note,
           v.gtin, v.size_mm, v.width,
           st.quantity, st.updated_at,
           wa.quantity, wa.delivery_estimate, wa.fetched_at, s.translations,
           s.category, s.colour_family, s.tags
      FROM variants AS scanned
      JOIN styles AS s ON s.id = scanned.style_id
      JOIN variants AS v ON v.style_id = scanned.style_id
      LEFT JOIN store_stock AS st ON st.gtin = v.gtin
      LEFT JOIN warehouse_availability AS wa ON wa.gtin = v.gtin
     WHERE scanned.gtin = ?1
     ORDER BY v.size_mm, v.width = 'W', v.width = 'XW', v.width";

/// The other stores holding sizes of the style `?1` belongs to (ranked by distance in
/// [`GridEntry::nearby`]).
const ELSEWHERE_SQL: &str = "
    SELECT o.gtin, o.store_id, o.quantity, l.name, l.address, l.latitude, l.longitude,
           o.distance_m
      FROM variants AS scanned
      JOIN variants AS v ON v.style_id = scanned.style_id
      JOIN other_store_stock AS o ON o.gtin = v.gtin
      JOIN store_locations AS l ON l.store_id = o.store_id
     WHERE scanned.gtin = ?1
     ORDER BY o.gtin, o.store_id";

/// The size grid of the style `gtin` belongs to, or `None` if the GTIN is unknown.
pub fn size_grid(conn: &Connection, gtin: Gtin) -> Result<Option<SizeGrid>, DbError> {
    let chart = SizeChart::embedded();
    let mut stmt = conn.prepare_cached(GRID_SQL)?;
    let mut rows = stmt.query([gtin.as_i64()])?;
    let mut style: Option<Style> = None;
    let mut sizes = Vec::with_capacity(24);
    while let Some(row) = rows.next()? {
        if style.is_none() {
            style = Some(Style {
                style_code: row.get(0)?,
                brand: row.get(1)?,
                name: row.get(2)?,
                colour: row.get(3)?,
                gender: row.get(4)?,
                price_cents: row.get(5)?,
                currency: row.get(6)?,
                image: row.get(7)?,
                description: row.get(8)?,
                fit_note: row.get(9)?,
                // Unreadable translations (a hand-edited file) only cost the translation.
                translations: serde_json::from_str(&row.get::<_, String>(18)?).unwrap_or_default(),
                category: row.get(19)?,
                colour_family: row.get(20)?,
                tags: crate::domain::substitutes::split_tags(&row.get::<_, String>(21)?),
            });
        }
        let raw_gtin: i64 = row.get(10)?;
        let size_mm: u16 = row.get(11)?;
        let width: String = row.get(12)?;
        let warehouse_quantity: Option<u32> = row.get(15)?;
        sizes.push(GridEntry {
            gtin: Gtin::from_stored(raw_gtin).ok_or_else(|| {
                DbError::Sqlite(format!("stored GTIN {raw_gtin} is out of range"))
            })?,
            size_mm,
            width: Width::from_code(&width).unwrap_or(Width::Standard),
            labels: chart.labels(size_mm),
            store_quantity: row.get(13)?,
            store_updated_at: row.get(14)?,
            warehouse: match warehouse_quantity {
                Some(quantity) => Some(WarehouseAvailability {
                    quantity,
                    delivery_estimate: row.get(16)?,
                    fetched_at: row.get(17)?,
                }),
                None => None,
            },
            elsewhere: Vec::new(),
        });
    }
    if style.is_some() {
        let mut stmt = conn.prepare_cached(ELSEWHERE_SQL)?;
        let mut rows = stmt.query([gtin.as_i64()])?;
        while let Some(row) = rows.next()? {
            let raw_gtin: i64 = row.get(0)?;
            if let Some(entry) = sizes.iter_mut().find(|e| e.gtin.as_i64() == raw_gtin) {
                entry.elsewhere.push(OtherStore {
                    store_id: row.get(1)?,
                    quantity: row.get(2)?,
                    name: row.get(3)?,
                    address: row.get(4)?,
                    position: Position::checked(row.get(5)?, row.get(6)?),
                    warehouse_distance_m: row.get(7)?,
                });
            }
        }
    }
    Ok(style.map(|style| SizeGrid {
        scanned: gtin,
        style,
        sizes,
    }))
}

/// Parses scanner text and looks it up: the whole path from a scan to a size grid.
pub fn lookup(
    conn: &Connection,
    text: &str,
    symbology: Option<Symbology>,
) -> Result<(Scan, SizeGrid), LookupError> {
    let scan = barcode::parse(text, symbology)?;
    match size_grid(conn, scan.gtin)? {
        Some(grid) => Ok((scan, grid)),
        None => Err(LookupError::UnknownProduct(scan.gtin)),
    }
}

/// What a size means for the shopper, in the order the kiosk prefers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SizeStatus {
    /// On the shelf here: an associate can bring it.
    InStore {
        quantity: u32,
    },
    /// Not here, but on the shelf of another store near enough to go today: the nearest.
    PickUp {
        store: String,
        distance_m: Option<u32>,
        /// Whether the warehouse could also ship it home.
        can_ship: bool,
    },
    /// Not here, but the warehouse can ship it home.
    Ship {
        delivery_estimate: Option<String>,
    },
    /// Not here; the warehouse has not answered yet.
    Checking,
    Unavailable,
}

impl GridEntry {
    /// `warehouse_pending`: the warehouse was asked and has not answered yet.
    pub fn status(&self, warehouse_pending: bool, reach: &PickUpReach) -> SizeStatus {
        let can_ship = self.warehouse.as_ref().is_some_and(|w| w.quantity > 0);
        match self.store_quantity {
            Some(q) if q > 0 => return SizeStatus::InStore { quantity: q },
            _ if warehouse_pending => return SizeStatus::Checking,
            _ => {}
        }
        if let Some(nearest) = self.nearby(reach).first() {
            return SizeStatus::PickUp {
                store: nearest.store.name.clone(),
                distance_m: nearest.distance_m,
                can_ship,
            };
        }
        match &self.warehouse {
            Some(w) if can_ship => SizeStatus::Ship {
                delivery_estimate: w.delivery_estimate.clone(),
            },
            _ => SizeStatus::Unavailable,
        }
    }

    /// The other stores within reach that have the size, nearest first. The distance is the
    /// kiosk's own from `[store]`'s position when both stores are placed, else the
    /// warehouse's; a store at an unknown distance is offered last, without one (the warehouse
    /// named only its nearest few).
    pub fn nearby(&self, reach: &PickUpReach) -> Vec<NearbyStore<'_>> {
        if reach.within_km <= 0.0 {
            return Vec::new();
        }
        let mut found: Vec<NearbyStore<'_>> = self
            .elsewhere
            .iter()
            .filter(|s| s.quantity > 0)
            .map(|store| {
                let own = reach
                    .here
                    .zip(store.position)
                    .map(|(here, there)| (here.distance_km(there) * 1000.0).round() as u32);
                NearbyStore {
                    store,
                    distance_m: own.or(store.warehouse_distance_m),
                }
            })
            .filter(|n| {
                n.distance_m
                    .is_none_or(|m| f64::from(m) <= reach.within_km * 1000.0)
            })
            .collect();
        found.sort_by_key(|n| (n.distance_m.is_none(), n.distance_m));
        found
    }
}

#[cfg(test)]
mod status_tests {
    use super::*;

    fn entry(store: Option<u32>, warehouse: Option<u32>) -> GridEntry {
        GridEntry {
            gtin: "4006381333931".parse().unwrap(),
            size_mm: 270,
            width: Width::Standard,
            labels: SizeChart::embedded().labels(270),
            store_quantity: store,
            store_updated_at: None,
            warehouse: warehouse.map(|quantity| WarehouseAvailability {
                quantity,
                delivery_estimate: Some("2026-11-26".into()),
                fetched_at: "2026-11-23T10:00:00Z".into(),
            }),
            elsewhere: Vec::new(),
        }
    }

    const MADRID: Position = Position {
        latitude: 40.4155,
        longitude: -3.7074,
    };
    const REACH: PickUpReach = PickUpReach {
        here: Some(MADRID),
        within_km: 25.0,
    };

    fn other(name: &str, latitude: f64, longitude: f64, quantity: u32) -> OtherStore {
        OtherStore {
            store_id: name.to_lowercase().replace(' ', "-"),
            name: name.into(),
            address: format!("{name} 1, Madrid"),
            position: Some(Position {
                latitude,
                longitude,
            }),
            quantity,
            warehouse_distance_m: None,
        }
    }

    #[test]
    fn store_first_then_warehouse_then_unavailable() {
        assert_eq!(
            entry(Some(2), Some(9)).status(false, &REACH),
            SizeStatus::InStore { quantity: 2 }
        );
        assert_eq!(
            entry(Some(2), None).status(true, &REACH),
            SizeStatus::InStore { quantity: 2 }
        );
        assert_eq!(
            entry(Some(0), None).status(true, &REACH),
            SizeStatus::Checking
        );
        assert_eq!(
            entry(Some(0), Some(3)).status(false, &REACH),
            SizeStatus::Ship {
                delivery_estimate: Some("2026-11-26".into())
            }
        );
        assert_eq!(
            entry(None, Some(0)).status(false, &REACH),
            SizeStatus::Unavailable
        );
        assert_eq!(
            entry(None, None).status(false, &REACH),
            SizeStatus::Unavailable
        );
    }

    #[test]
    fn a_store_near_enough_comes_before_shipping_and_the_nearest_is_named() {
        let mut e = entry(Some(0), Some(3));
        e.elsewhere = vec![
            other("Valencia Centre", 39.4699, -0.3731, 3),
            other("Riverside", 40.3942, -3.6994, 1),
            other("Old Town", 40.4318, -3.7020, 2),
        ];
        assert_eq!(
            e.status(false, &REACH),
            SizeStatus::PickUp {
                store: "Old Town".into(),
                distance_m: Some(1869),
                can_ship: true,
            }
        );
        let near: Vec<_> = e
            .nearby(&REACH)
            .iter()
            .map(|n| n.store.name.as_str())
            .collect();
        assert_eq!(near, ["Old Town", "Riverside"], "Valencia is 300 km away");
        // Still checking: nothing is offered before the warehouse answered.
        assert_eq!(e.status(true, &REACH), SizeStatus::Checking);
        // In this store wins over any other.
        e.store_quantity = Some(1);
        assert_eq!(e.status(false, &REACH), SizeStatus::InStore { quantity: 1 });
    }

    #[test]
    fn stores_out_of_reach_are_not_offered_for_today_and_unknown_distances_go_last() {
        let mut e = entry(None, Some(0));
        e.elsewhere = vec![other("Valencia Centre", 39.4699, -0.3731, 3)];
        assert_eq!(e.status(false, &REACH), SizeStatus::Unavailable);
        // Without the kiosk's position, the warehouse's distance decides.
        let unplaced_kiosk = PickUpReach {
            here: None,
            within_km: 25.0,
        };
        e.elsewhere[0].warehouse_distance_m = Some(301_000);
        assert_eq!(e.status(false, &unplaced_kiosk), SizeStatus::Unavailable);
        let mut near = other("Old Town", 40.4318, -3.7020, 1);
        near.warehouse_distance_m = Some(1_900);
        let mut unknown = other("Somewhere", 0.0, 0.0, 2);
        unknown.position = None;
        e.elsewhere = vec![unknown, near];
        let names = |reach| -> Vec<(String, Option<u32>)> {
            e.nearby(reach)
                .iter()
                .map(|n| (n.store.name.clone(), n.distance_m))
                .collect()
        };
        assert_eq!(
            names(&unplaced_kiosk),
            [
                ("Old Town".to_owned(), Some(1_900)),
                ("Somewhere".to_owned(), None)
            ]
        );
        // The kiosk's own distance wins where it can work one out.
        assert_eq!(names(&REACH)[0], ("Old Town".to_owned(), Some(1869)));
        // 0 km: never.
        let never = PickUpReach {
            within_km: 0.0,
            ..REACH
        };
        assert_eq!(e.status(false, &never), SizeStatus::Unavailable);
    }
}
