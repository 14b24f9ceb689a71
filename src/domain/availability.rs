//! Warehouse availability for a style's sizes: asked in one request, cached in SQLite with the
//! time it was fetched. When the warehouse cannot be reached the cache answers, with its age,
//! or the answer is "unavailable right now" — never a wait.

use rusqlite::params;
use serde::Serialize;

use crate::db::{self, DbError, DbHandle};
use crate::domain::barcode::Gtin;
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
                {
                    let mut upsert = tx.prepare_cached(
                        "INSERT INTO warehouse_availability (gtin, quantity, delivery_estimate, fetched_at)
                         SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM variants WHERE gtin = ?1)
                         ON CONFLICT (gtin) DO UPDATE SET quantity = ?2, delivery_estimate = ?3, fetched_at = ?4",
                    )?;
                    for item in &answer.items {
                        // A GTIN the warehouse garbled is skipped, not fatal: the rest is good.
                        let Ok(gtin) = item.gtin.parse::<Gtin>() else {
                            tracing::warn!(gtin = %item.gtin, "warehouse sent an invalid GTIN in availability");
                            continue;
                        };
                        upsert.execute(params![gtin.as_i64(), item.quantity, item.delivery_estimate, fetched_at])?;
                    }
                }
                tx.commit()?;
                Ok(())
            })
            .await?;
            Ok(Freshness::Live)
        }
        Err(e) => cached(db, gtins, &e).await,
    }
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
