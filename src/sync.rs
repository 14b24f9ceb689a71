//! Store inventory sync: pulls catalog and this store's stock changes since the saved cursors,
//! page by page. Each page is applied in one transaction together with its cursor, so an
//! interrupted sync resumes where it stopped and never leaves half a page behind.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;
use thiserror::Error;

use crate::barcode::Gtin;
use crate::db::{self, DbError, DbHandle};
use crate::sizes::Width;
use crate::warehouse::protocol::{CatalogPage, DEFAULT_PAGE, StockPage};
use crate::warehouse::{ClientError, WarehouseClient};

pub const CATALOG_FEED: &str = "catalog";
pub const STOCK_FEED: &str = "stock";

#[derive(Debug, Clone, Error)]
pub enum SyncError {
    #[error(
        "{feed} sync stopped at cursor {cursor:?}: {cause} (the pages before it are kept; run the sync again to resume)"
    )]
    Warehouse {
        feed: &'static str,
        cursor: String,
        cause: ClientError,
    },
    #[error(
        "{feed} sync: the warehouse sent bad data after cursor {cursor:?}: {detail} (nothing from that page was applied)"
    )]
    BadData {
        feed: &'static str,
        cursor: String,
        detail: String,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FeedCounts {
    pub pages: u64,
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
    /// Stock rows for GTINs the catalog does not have (skipped).
    pub skipped: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub catalog: FeedCounts,
    pub stock: FeedCounts,
    pub duration: Duration,
}

/// Receives progress after each page.
pub trait SyncProgress: Send {
    fn page(&mut self, _feed: &'static str, _counts: &FeedCounts) {}
}

impl SyncProgress for () {}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub store_id: String,
    /// Start from the beginning and remove what the warehouse no longer lists.
    pub full: bool,
    pub page_size: u32,
}

impl SyncOptions {
    pub fn new(store_id: &str) -> Self {
        Self {
            store_id: store_id.to_owned(),
            full: false,
            page_size: DEFAULT_PAGE,
        }
    }
}

fn bad(feed: &'static str, cursor: &str, detail: String) -> SyncError {
    SyncError::BadData {
        feed,
        cursor: cursor.to_owned(),
        detail,
    }
}

fn parse_gtin(feed: &'static str, cursor: &str, text: &str) -> Result<Gtin, SyncError> {
    text.parse::<Gtin>()
        .map_err(|e| bad(feed, cursor, format!("gtin {text:?}: {e}")))
}

/// Checks a whole page before anything is written.
fn check_catalog_page(page: &CatalogPage, cursor: &str) -> Result<Vec<Gtin>, SyncError> {
    let styles: HashSet<&str> = page.styles.iter().map(|s| s.style_code.as_str()).collect();
    for s in &page.styles {
        if s.style_code.is_empty()
            || s.price_cents < 0
            || !matches!(s.gender.as_str(), "men" | "women" | "unisex")
        {
            return Err(bad(
                CATALOG_FEED,
                cursor,
                format!(
                    "style {:?} has an empty code, a negative price or an unknown gender",
                    s.style_code
                ),
            ));
        }
    }
    page.variants
        .iter()
        .map(|v| {
            let gtin = parse_gtin(CATALOG_FEED, cursor, &v.gtin)?;
            if !v.discontinued {
                if !styles.contains(v.style_code.as_str()) {
                    return Err(bad(
                        CATALOG_FEED,
                        cursor,
                        format!(
                            "variant {gtin} refers to style {:?}, which the page does not carry",
                            v.style_code
                        ),
                    ));
                }
                if Width::from_code(&v.width).is_none() || !(100..=400).contains(&v.size_mm) {
                    return Err(bad(
                        CATALOG_FEED,
                        cursor,
                        format!("variant {gtin}: size {} mm, width {:?}", v.size_mm, v.width),
                    ));
                }
            }
            Ok(gtin)
        })
        .collect()
}

fn apply_catalog_page(
    tx: &Transaction,
    page: &CatalogPage,
    gtins: &[Gtin],
    counts: &mut FeedCounts,
    seen: Option<&mut HashSet<i64>>,
) -> Result<(), DbError> {
    let mut upsert_style = tx.prepare_cached(
        "INSERT INTO styles (style_code, brand, name, colour, gender, price_cents, currency,
                             image, description, fit_note, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (style_code) DO UPDATE SET brand = ?2, name = ?3, colour = ?4, gender = ?5,
             price_cents = ?6, currency = ?7, image = ?8, description = ?9, fit_note = ?10,
             updated_at = ?11",
    )?;
    let now = db::now_rfc3339();
    for s in &page.styles {
        upsert_style.execute(params![
            s.style_code,
            s.brand,
            s.name,
            s.colour,
            s.gender,
            s.price_cents,
            s.currency,
            s.image,
            s.description,
            s.fit_note,
            now
        ])?;
    }
    let mut exists = tx.prepare_cached("SELECT 1 FROM variants WHERE gtin = ?1")?;
    let mut upsert_variant = tx.prepare_cached(
        "INSERT INTO variants (gtin, style_id, size_mm, width)
         VALUES (?1, (SELECT id FROM styles WHERE style_code = ?2), ?3, ?4)
         ON CONFLICT (gtin) DO UPDATE SET style_id = excluded.style_id,
             size_mm = excluded.size_mm, width = excluded.width",
    )?;
    let mut delete_variant = tx.prepare_cached("DELETE FROM variants WHERE gtin = ?1")?;
    let mut seen = seen;
    for (v, gtin) in page.variants.iter().zip(gtins) {
        let known = exists
            .query_row([gtin.as_i64()], |_| Ok(()))
            .optional()?
            .is_some();
        if v.discontinued {
            if known {
                delete_variant.execute([gtin.as_i64()])?;
                counts.removed += 1;
            }
            continue;
        }
        upsert_variant.execute(params![gtin.as_i64(), v.style_code, v.size_mm, v.width])?;
        if let Some(seen) = seen.as_deref_mut() {
            seen.insert(gtin.as_i64());
        }
        if known {
            counts.changed += 1;
        } else {
            counts.added += 1;
        }
    }
    Ok(())
}

fn apply_stock_page(
    tx: &Transaction,
    page: &StockPage,
    gtins: &[Gtin],
    counts: &mut FeedCounts,
    seen: Option<&mut HashSet<i64>>,
) -> Result<(), DbError> {
    let mut exists = tx.prepare_cached("SELECT quantity FROM store_stock WHERE gtin = ?1")?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO store_stock (gtin, quantity, updated_at)
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM variants WHERE gtin = ?1)
         ON CONFLICT (gtin) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at",
    )?;
    let mut seen = seen;
    for (item, gtin) in page.items.iter().zip(gtins) {
        let known = exists
            .query_row([gtin.as_i64()], |_| Ok(()))
            .optional()?
            .is_some();
        if upsert.execute(params![gtin.as_i64(), item.quantity, item.updated_at])? == 0 {
            counts.skipped += 1;
            continue;
        }
        if let Some(seen) = seen.as_deref_mut() {
            seen.insert(gtin.as_i64());
        }
        if known {
            counts.changed += 1;
        } else {
            counts.added += 1;
        }
    }
    Ok(())
}

async fn saved_cursor(db: &DbHandle, feed: &'static str, full: bool) -> Result<String, DbError> {
    if full {
        return Ok(String::new());
    }
    db.call(move |db| Ok(db.feed(feed)?.map(|f| f.cursor).unwrap_or_default()))
        .await
}

async fn sync_catalog(
    db: &DbHandle,
    client: &WarehouseClient,
    options: &SyncOptions,
    progress: &mut dyn SyncProgress,
) -> Result<FeedCounts, SyncError> {
    let mut counts = FeedCounts::default();
    let mut cursor = saved_cursor(db, CATALOG_FEED, options.full).await?;
    let mut seen = options.full.then(HashSet::new);
    loop {
        let page = client
            .catalog_changes(&cursor, options.page_size)
            .await
            .map_err(|cause| SyncError::Warehouse {
                feed: CATALOG_FEED,
                cursor: cursor.clone(),
                cause,
            })?;
        let gtins = check_catalog_page(&page, &cursor)?;
        let next = page.next_cursor.clone();
        let has_more = page.has_more;
        let (page_counts, returned_seen) = db
            .call(move |db| {
                let mut counts = FeedCounts::default();
                let mut seen = seen;
                let tx = db.conn_mut().transaction()?;
                apply_catalog_page(&tx, &page, &gtins, &mut counts, seen.as_mut())?;
                db::record_feed(
                    &tx,
                    CATALOG_FEED,
                    &page.next_cursor,
                    &format!("{} variants in last page", page.variants.len()),
                )?;
                tx.commit()?;
                Ok((counts, seen))
            })
            .await?;
        seen = returned_seen;
        counts.pages += 1;
        counts.added += page_counts.added;
        counts.changed += page_counts.changed;
        counts.removed += page_counts.removed;
        progress.page(CATALOG_FEED, &counts);
        if !has_more || next == cursor {
            break;
        }
        cursor = next;
    }
    if let Some(seen) = seen {
        // A full sync completed: what the warehouse no longer lists goes.
        counts.removed += db
            .call(move |db| {
                let tx = db.conn_mut().transaction()?;
                let local: Vec<i64> = tx
                    .prepare("SELECT gtin FROM variants")?
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut removed = 0;
                for gtin in local.into_iter().filter(|g| !seen.contains(g)) {
                    removed += tx.execute("DELETE FROM variants WHERE gtin = ?1", [gtin])? as u64;
                }
                tx.execute(
                    "DELETE FROM styles WHERE id NOT IN (SELECT style_id FROM variants)",
                    [],
                )?;
                tx.commit()?;
                Ok(removed)
            })
            .await?;
    }
    Ok(counts)
}

async fn sync_stock(
    db: &DbHandle,
    client: &WarehouseClient,
    options: &SyncOptions,
    progress: &mut dyn SyncProgress,
) -> Result<FeedCounts, SyncError> {
    let mut counts = FeedCounts::default();
    let mut cursor = saved_cursor(db, STOCK_FEED, options.full).await?;
    let mut seen = options.full.then(HashSet::new);
    loop {
        let page = client
            .stock_changes(&options.store_id, &cursor, options.page_size)
            .await
            .map_err(|cause| SyncError::Warehouse {
                feed: STOCK_FEED,
                cursor: cursor.clone(),
                cause,
            })?;
        let gtins = page
            .items
            .iter()
            .map(|i| parse_gtin(STOCK_FEED, &cursor, &i.gtin))
            .collect::<Result<Vec<_>, _>>()?;
        let next = page.next_cursor.clone();
        let has_more = page.has_more;
        let (page_counts, returned_seen) = db
            .call(move |db| {
                let mut counts = FeedCounts::default();
                let mut seen = seen;
                let tx = db.conn_mut().transaction()?;
                apply_stock_page(&tx, &page, &gtins, &mut counts, seen.as_mut())?;
                db::record_feed(
                    &tx,
                    STOCK_FEED,
                    &page.next_cursor,
                    &format!("{} rows in last page", page.items.len()),
                )?;
                tx.commit()?;
                Ok((counts, seen))
            })
            .await?;
        seen = returned_seen;
        counts.pages += 1;
        counts.added += page_counts.added;
        counts.changed += page_counts.changed;
        counts.skipped += page_counts.skipped;
        progress.page(STOCK_FEED, &counts);
        if !has_more || next == cursor {
            break;
        }
        cursor = next;
    }
    if let Some(seen) = seen {
        counts.removed += db
            .call(move |db| {
                let tx = db.conn_mut().transaction()?;
                let local: Vec<i64> = tx
                    .prepare("SELECT gtin FROM store_stock")?
                    .query_map([], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut removed = 0;
                for gtin in local.into_iter().filter(|g| !seen.contains(g)) {
                    removed +=
                        tx.execute("DELETE FROM store_stock WHERE gtin = ?1", [gtin])? as u64;
                }
                tx.commit()?;
                Ok(removed)
            })
            .await?;
    }
    Ok(counts)
}

/// Runs a catalog sync, then a stock sync.
pub async fn sync(
    db: &DbHandle,
    client: &WarehouseClient,
    options: &SyncOptions,
    progress: &mut dyn SyncProgress,
) -> Result<SyncReport, SyncError> {
    let started = Instant::now();
    let catalog = sync_catalog(db, client, options, progress).await?;
    let stock = sync_stock(db, client, options, progress).await?;
    Ok(SyncReport {
        catalog,
        stock,
        duration: started.elapsed(),
    })
}

/// Syncs every `interval` until `stop` fires (for the GUI). Failures are logged and retried
/// at the next tick; the cursors make each run resume where the last stopped.
pub async fn run_periodic(
    db: DbHandle,
    client: WarehouseClient,
    options: SyncOptions,
    interval: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                match sync(&db, &client, &options, &mut ()).await {
                    Ok(report) => tracing::info!(?report.catalog, ?report.stock, "background sync done"),
                    Err(e) => tracing::warn!(error = %e, "background sync failed"),
                }
            }
            _ = stop.changed() => break,
        }
    }
}
