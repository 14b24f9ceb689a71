//! Scanned code -> variant -> style -> the whole size grid with this store's stock and the
//! cached warehouse availability, in one indexed query.

use rusqlite::Connection;
use serde::Serialize;
use thiserror::Error;

use crate::db::DbError;
use crate::domain::barcode::{self, BarcodeError, Gtin, Scan, Symbology};
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
           wa.quantity, wa.delivery_estimate, wa.fetched_at, s.translations
      FROM variants AS scanned
      JOIN styles AS s ON s.id = scanned.style_id
      JOIN variants AS v ON v.style_id = scanned.style_id
      LEFT JOIN store_stock AS st ON st.gtin = v.gtin
      LEFT JOIN warehouse_availability AS wa ON wa.gtin = v.gtin
     WHERE scanned.gtin = ?1
     ORDER BY v.size_mm, v.width = 'W', v.width = 'XW', v.width";

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
        });
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
    pub fn status(&self, warehouse_pending: bool) -> SizeStatus {
        match (self.store_quantity, &self.warehouse) {
            (Some(q), _) if q > 0 => SizeStatus::InStore { quantity: q },
            _ if warehouse_pending => SizeStatus::Checking,
            (_, Some(w)) if w.quantity > 0 => SizeStatus::Ship {
                delivery_estimate: w.delivery_estimate.clone(),
            },
            _ => SizeStatus::Unavailable,
        }
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
        }
    }

    #[test]
    fn store_first_then_warehouse_then_unavailable() {
        assert_eq!(
            entry(Some(2), Some(9)).status(false),
            SizeStatus::InStore { quantity: 2 }
        );
        assert_eq!(
            entry(Some(2), None).status(true),
            SizeStatus::InStore { quantity: 2 }
        );
        assert_eq!(entry(Some(0), None).status(true), SizeStatus::Checking);
        assert_eq!(
            entry(Some(0), Some(3)).status(false),
            SizeStatus::Ship {
                delivery_estimate: Some("2026-11-26".into())
            }
        );
        assert_eq!(entry(None, Some(0)).status(false), SizeStatus::Unavailable);
        assert_eq!(entry(None, None).status(false), SizeStatus::Unavailable);
    }
}
