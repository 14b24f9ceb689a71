//! Warehouse availability for a style's sizes: asked in one request, cached in SQLite with the
//! time it was fetched. When the warehouse cannot be reached the cache answers, with its age,
//! or the answer is "unavailable right now" — never a wait.

use rusqlite::params;
use serde::Serialize;

use crate::db::{self, DbError, DbHandle};
use crate::domain::barcode::Gtin;
use crate::warehouse::protocol::{AvailabilityResponse, Location};
use crate::warehouse::{ClientError, WarehouseClient};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Freshness {
    /// Just fetched from the warehouse.
    Live,
    /// The warehouse could not be asked; these figures are `age_secs` old.
    Cached { age_secs: u64, reason: String },
    /// The warehouse could not be asked and nothing is cached.
    Unavailable { reason: String },
}

fn age_secs(fetched_at: &str) -> Option<u64> {
    let then: jiff::Timestamp = fetched_at.parse().ok()?;
    let secs = jiff::Timestamp::now().duration_since(then).as_secs();
    Some(secs.max(0) as u64)
}

/// Asks the warehouse about `gtins` and caches the answer; on failure reports the cache.
pub async fn refresh(
    db: &DbHandle,
    client: &WarehouseClient,
    gtins: &[Gtin],
) -> Result<Freshness, DbError> {
    let asked: Vec<String> = gtins.iter().map(Gtin::to_string).collect();
    match client.availability(asked).await {
        Ok(answer) => {
            let fetched_at = db::now_rfc3339();
            db.call(move |db| {
                let tx = db.conn_mut().transaction()?;
                save(&tx, &answer, &fetched_at)?;
                tx.commit()?;
                Ok(())
            })
            .await?;
            Ok(Freshness::Live)
        }
        Err(e) => cached(db, gtins, &e).await,
    }
}

/// Longest store name and address kept: a shopper reads them on a tile and a card.
const MAX_NAME_CHARS: usize = 80;
const MAX_ADDRESS_CHARS: usize = 200;

/// A store as the warehouse described it, if a shopper can be shown it: a name and an address
/// of one short line each (a garbled one is left out, with a warning).
fn shown_location(l: &Location) -> Option<(&str, &str)> {
    fn line(text: &str, max: usize) -> Option<&str> {
        let text = text.trim();
        (!text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control))
            .then_some(text)
    }
    let shown = line(&l.name, MAX_NAME_CHARS).zip(line(&l.address, MAX_ADDRESS_CHARS));
    if shown.is_none() {
        tracing::warn!(store = %l.store_id, "warehouse sent a store without a readable name or address; it is not offered");
    }
    shown
}

/// Writes one availability answer: the warehouse's own quantities, the stores it named, and
/// for each size asked, exactly the other stores it said have it (none: none now).
fn save(
    tx: &rusqlite::Transaction,
    answer: &AvailabilityResponse,
    fetched_at: &str,
) -> Result<(), DbError> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO warehouse_availability (gtin, quantity, delivery_estimate, fetched_at)
         SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM variants WHERE gtin = ?1)
         ON CONFLICT (gtin) DO UPDATE SET quantity = ?2, delivery_estimate = ?3, fetched_at = ?4",
    )?;
    let mut place = tx.prepare_cached(
        "INSERT INTO store_locations (store_id, name, address, latitude, longitude, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (store_id) DO UPDATE SET name = ?2, address = ?3, latitude = ?4,
                                              longitude = ?5, fetched_at = ?6",
    )?;
    let mut forget = tx.prepare_cached("DELETE FROM other_store_stock WHERE gtin = ?1")?;
    let mut shelve = tx.prepare_cached(
        "INSERT INTO other_store_stock (gtin, store_id, quantity, distance_m, fetched_at)
         SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM variants WHERE gtin = ?1)
         ON CONFLICT (gtin, store_id) DO UPDATE SET quantity = ?3, distance_m = ?4,
                                                    fetched_at = ?5",
    )?;
    let mut known = std::collections::HashSet::new();
    for l in &answer.locations {
        if let Some((name, address)) = shown_location(l) {
            let position = l.position();
            place.execute(params![
                l.store_id,
                name,
                address,
                position.map(|p| p.latitude),
                position.map(|p| p.longitude),
                fetched_at
            ])?;
            known.insert(l.store_id.as_str());
        }
    }
    for item in &answer.items {
        // A GTIN the warehouse garbled is skipped, not fatal: the rest is good.
        let Ok(gtin) = item.gtin.parse::<Gtin>() else {
            tracing::warn!(gtin = %item.gtin, "warehouse sent an invalid GTIN in availability");
            continue;
        };
        upsert.execute(params![
            gtin.as_i64(),
            item.quantity,
            item.delivery_estimate,
            fetched_at
        ])?;
        forget.execute([gtin.as_i64()])?;
        // Only stores the answer described: a shopper is never sent to a store without a name.
        for shelf in item
            .stores
            .iter()
            .filter(|s| s.quantity > 0 && known.contains(s.store_id.as_str()))
        {
            shelve.execute(params![
                gtin.as_i64(),
                shelf.store_id,
                shelf.quantity,
                shelf.distance_m,
                fetched_at
            ])?;
        }
    }
    Ok(())
}

async fn cached(db: &DbHandle, gtins: &[Gtin], error: &ClientError) -> Result<Freshness, DbError> {
    let keys: Vec<i64> = gtins.iter().map(|g| g.as_i64()).collect();
    let oldest: Option<String> = db
        .call(move |db| {
            let mut stmt = db
                .conn()
                .prepare_cached("SELECT fetched_at FROM warehouse_availability WHERE gtin = ?1")?;
            let mut oldest: Option<String> = None;
            for gtin in keys {
                if let Ok(at) = stmt.query_row([gtin], |r| r.get::<_, String>(0))
                    && oldest.as_ref().is_none_or(|o| at < *o)
                {
                    oldest = Some(at);
                }
            }
            Ok(oldest)
        })
        .await?;
    let reason = error.to_string();
    Ok(match oldest.and_then(|at| age_secs(&at)) {
        Some(age_secs) => Freshness::Cached { age_secs, reason },
        None => Freshness::Unavailable { reason },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warehouse::protocol::{Availability, StoreQuantity};

    const SIZE: &str = "04012345001051";

    fn item(stores: &[(&str, u32)]) -> Availability {
        Availability {
            gtin: SIZE.into(),
            quantity: 0,
            delivery_days: None,
            delivery_estimate: None,
            shipping_cents: 0,
            currency: "EUR".into(),
            stores: stores
                .iter()
                .map(|(id, quantity)| StoreQuantity {
                    store_id: (*id).into(),
                    quantity: *quantity,
                    distance_m: None,
                })
                .collect(),
        }
    }

    fn location(id: &str, name: &str, address: &str, latitude: Option<f64>) -> Location {
        Location {
            store_id: id.into(),
            name: name.into(),
            address: address.into(),
            latitude,
            longitude: Some(-3.7),
        }
    }

    fn shelves(db: &mut crate::db::Database) -> Vec<(String, u32)> {
        db.conn()
            .prepare("SELECT store_id, quantity FROM other_store_stock ORDER BY store_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_store_the_warehouse_garbled_or_did_not_describe_is_never_offered() {
        let dir = tempfile::tempdir().unwrap();
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let (mut db, _) = crate::domain::seed::open_or_seed(
            &dir.path().join("k.sqlite3"),
            Some(&fixtures),
            crate::db::Check::Full,
        )
        .unwrap();
        let answer = AvailabilityResponse {
            items: vec![item(&[
                ("good", 2),
                ("no-name", 1),
                ("two-lines", 1),
                ("undescribed", 4),
                ("sold-out", 0),
                ("off-the-globe", 3),
            ])],
            as_of: "2026-12-02T10:00:00Z".into(),
            locations: vec![
                location("good", "Old Town", "Calle 1, Madrid", Some(40.4)),
                location("no-name", "  ", "Calle 2, Madrid", Some(40.4)),
                location("two-lines", "Old\nTown", "Calle 3, Madrid", Some(40.4)),
                location("sold-out", "Riverside", "Calle 4, Madrid", Some(40.4)),
                location("off-the-globe", "Nowhere", "Calle 5, Madrid", Some(123.0)),
            ],
        };
        let tx = db.conn_mut().transaction().unwrap();
        save(&tx, &answer, "2026-12-02T10:00:00Z").unwrap();
        tx.commit().unwrap();
        assert_eq!(
            shelves(&mut db),
            [("good".to_owned(), 2), ("off-the-globe".to_owned(), 3)],
            "only stores with a readable name and address, and pairs"
        );
        let unplaced: Option<f64> = db
            .conn()
            .query_row(
                "SELECT latitude FROM store_locations WHERE store_id = 'off-the-globe'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            unplaced, None,
            "kept, without a position to promise a distance by"
        );

        // The next answer says what is on the shelves now: a store it does not name is gone.
        let answer = AvailabilityResponse {
            items: vec![item(&[])],
            as_of: "2026-12-02T10:05:00Z".into(),
            locations: Vec::new(),
        };
        let tx = db.conn_mut().transaction().unwrap();
        save(&tx, &answer, "2026-12-02T10:05:00Z").unwrap();
        tx.commit().unwrap();
        assert!(shelves(&mut db).is_empty());
    }
}
