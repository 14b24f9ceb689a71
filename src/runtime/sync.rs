//! Store inventory sync: pulls catalog and this store's stock changes since the saved cursors,
//! page by page. Each page is applied in one transaction together with its cursor, so an
//! interrupted sync resumes where it stopped and never leaves half a page behind.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use rusqlite::{Transaction, params};
use serde::Serialize;
use sipper::{Sender, Sipper, sipper};
use thiserror::Error;

use crate::db::{self, DbError, DbHandle};
use crate::domain::barcode::Gtin;
use crate::domain::sizes::Width;
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

impl FeedCounts {
    /// Counts a row a page wrote, and notes its GTIN for a full sync's pruning.
    fn written(&mut self, known: bool, gtin: Gtin, seen: Option<&mut HashSet<i64>>) {
        if let Some(seen) = seen {
            seen.insert(gtin.as_i64());
        }
        if known {
            self.changed += 1;
        } else {
            self.added += 1;
        }
    }
}

/// A page is in: the feed's counts so far, and about how many pages the feed has (from the
/// warehouse's count of what remained after the first page; `None` when it does not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageDone {
    pub feed: &'static str,
    pub counts: FeedCounts,
    pub total_pages: Option<u64>,
}

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
                             image, description, fit_note, updated_at, translations, category,
                             colour_family, tags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (style_code) DO UPDATE SET brand = ?2, name = ?3, colour = ?4, gender = ?5,
             price_cents = ?6, currency = ?7, image = ?8, description = ?9, fit_note = ?10,
             updated_at = ?11, translations = ?12, category = ?13, colour_family = ?14,
             tags = ?15
         RETURNING id",
    )?;
    let now = db::now_rfc3339();
    // Each style's row id, for its variants: looked up once a page, not once a variant.
    let mut style_ids = std::collections::HashMap::with_capacity(page.styles.len());
    for s in &page.styles {
        let id: i64 = upsert_style.query_row(
            params![
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
                now,
                serde_json::to_string(&s.translations).unwrap_or_else(|_| "{}".into()),
                s.category.trim().to_lowercase(),
                s.colour_family.trim().to_lowercase(),
                crate::domain::substitutes::split_tags(&s.tags.join(";")).join(";"),
            ],
            |r| r.get(0),
        )?;
        style_ids.insert(s.style_code.as_str(), id);
    }
    // Separate INSERT and UPDATE rather than an upsert: SQLite's upsert on a table that other
    // tables reference builds temporary tables for the foreign keys on every row.
    let mut exists = tx.prepare_cached("SELECT 1 FROM variants WHERE gtin = ?1")?;
    let mut insert_variant = tx.prepare_cached(
        "INSERT INTO variants (gtin, style_id, size_mm, width) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut update_variant = tx.prepare_cached(
        "UPDATE variants SET style_id = ?2, size_mm = ?3, width = ?4 WHERE gtin = ?1",
    )?;
    let mut delete_variant = tx.prepare_cached("DELETE FROM variants WHERE gtin = ?1")?;
    let mut seen = seen;
    for (v, gtin) in page.variants.iter().zip(gtins) {
        let known = exists.exists([gtin.as_i64()])?;
        if v.discontinued {
            if known {
                delete_variant.execute([gtin.as_i64()])?;
                counts.removed += 1;
            }
            continue;
        }
        // The page was checked: every variant's style is on it.
        let style_id = style_ids.get(v.style_code.as_str()).copied();
        let values = params![gtin.as_i64(), style_id, v.size_mm, v.width];
        if known {
            update_variant.execute(values)?;
        } else {
            insert_variant.execute(values)?;
        }
        counts.written(known, *gtin, seen.as_deref_mut());
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
    if !page.items.is_empty() {
        // The warehouse's counts are newer than any kept import: undoing it would lose them.
        crate::domain::stock::forget_undo(tx)?;
    }
    let mut stocked = tx.prepare_cached("SELECT 1 FROM store_stock WHERE gtin = ?1")?;
    let mut update =
        tx.prepare_cached("UPDATE store_stock SET quantity = ?2, updated_at = ?3 WHERE gtin = ?1")?;
    let mut in_catalog = tx.prepare_cached("SELECT 1 FROM variants WHERE gtin = ?1")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO store_stock (gtin, quantity, updated_at) VALUES (?1, ?2, ?3)",
    )?;
    let mut seen = seen;
    for (item, gtin) in page.items.iter().zip(gtins) {
        let gtin_key = gtin.as_i64();
        let known = stocked.exists([gtin_key])?;
        if known {
            update.execute(params![gtin_key, item.quantity, item.updated_at])?;
        } else if in_catalog.exists([gtin_key])? {
            insert.execute(params![gtin_key, item.quantity, item.updated_at])?;
        } else {
            counts.skipped += 1;
            continue;
        }
        counts.written(known, *gtin, seen.as_deref_mut());
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

/// Writes one checked page inside the page's transaction, counting what changed and noting
/// the GTINs seen (full sync).
type ApplyPage<P> = fn(
    &Transaction,
    &P,
    &[Gtin],
    &mut FeedCounts,
    Option<&mut HashSet<i64>>,
) -> Result<(), DbError>;

/// What differs between the catalog feed and the stock feed; the paging, the transactions and
/// the pruning after a full sync are shared in [`run_feed`].
struct Feed<P> {
    name: &'static str,
    /// Parses every GTIN of a page (refusing the whole page on bad data).
    check: fn(&P, &str) -> Result<Vec<Gtin>, SyncError>,
    /// The page's next cursor and whether more pages follow.
    next: fn(&P) -> (String, bool),
    /// Rows in the page, for the feed's detail line.
    len: fn(&P) -> usize,
    /// Changes after the page, when the warehouse was asked to count them.
    remaining: fn(&P) -> Option<u64>,
    apply: ApplyPage<P>,
    /// After a full sync: removes the rows whose GTIN the warehouse did not list.
    prune: fn(&Transaction, &HashSet<i64>) -> Result<u64, DbError>,
}

async fn run_feed<P, F, Fut>(
    db: &DbHandle,
    feed: Feed<P>,
    full: bool,
    page_size: u32,
    progress: &mut Sender<PageDone>,
    fetch: F,
) -> Result<FeedCounts, SyncError>
where
    P: Send + 'static,
    F: Fn(String, bool) -> Fut,
    Fut: std::future::Future<Output = Result<P, ClientError>>,
{
    let name = feed.name;
    let mut counts = FeedCounts::default();
    let mut cursor = saved_cursor(db, name, full).await?;
    let mut seen = full.then(HashSet::new);
    let mut total_pages = None;
    let failed = |cursor: &str| {
        let cursor = cursor.to_owned();
        move |cause| SyncError::Warehouse {
            feed: name,
            cursor,
            cause,
        }
    };
    // Only the first page asks for a count: counting costs the warehouse a scan.
    let mut page = fetch(cursor.clone(), true).await.map_err(failed(&cursor))?;
    loop {
        let first = counts.pages == 0;
        let gtins = (feed.check)(&page, &cursor)?;
        let (next, has_more) = (feed.next)(&page);
        if first {
            total_pages =
                (feed.remaining)(&page).map(|rest| 1 + rest.div_ceil(u64::from(page_size.max(1))));
        }
        let more = has_more && next != cursor;
        let (apply, len) = (feed.apply, feed.len);
        let next_for_db = next.clone();
        let write = db.call(move |db| {
            let mut counts = FeedCounts::default();
            let mut seen = seen;
            let tx = db.conn_mut().transaction()?;
            apply(&tx, &page, &gtins, &mut counts, seen.as_mut())?;
            let detail = format!("{} rows in last page", len(&page));
            db::record_feed(&tx, name, &next_for_db, &detail)?;
            tx.commit()?;
            Ok((counts, seen))
        });
        // The next page is fetched while this one is written: the warehouse's time and the
        // network's hide behind the kiosk's writing. A failed write drops the fetched page.
        let (written, fetched) = if more {
            let (written, fetched) = tokio::join!(write, fetch(next.clone(), false));
            (written, Some(fetched))
        } else {
            (write.await, None)
        };
        let (page_counts, returned_seen) = written?;
        seen = returned_seen;
        counts.pages += 1;
        counts.added += page_counts.added;
        counts.changed += page_counts.changed;
        counts.removed += page_counts.removed;
        counts.skipped += page_counts.skipped;
        progress
            .send(PageDone {
                feed: name,
                counts,
                total_pages: total_pages.map(|t| t.max(counts.pages)),
            })
            .await;
        let Some(fetched) = fetched else { break };
        cursor = next;
        page = fetched.map_err(failed(&cursor))?;
    }
    if let Some(seen) = seen {
        // A full sync completed: what the warehouse no longer lists goes.
        let prune = feed.prune;
        counts.removed += db
            .call(move |db| {
                let tx = db.conn_mut().transaction()?;
                let removed = prune(&tx, &seen)?;
                tx.commit()?;
                Ok(removed)
            })
            .await?;
    }
    Ok(counts)
}

/// Deletes the rows of `table` whose GTIN is not in `seen`.
fn prune_unseen(tx: &Transaction, table: &str, seen: &HashSet<i64>) -> Result<u64, DbError> {
    let local: Vec<i64> = tx
        .prepare(&format!("SELECT gtin FROM {table}"))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut delete = tx.prepare(&format!("DELETE FROM {table} WHERE gtin = ?1"))?;
    let mut removed = 0;
    for gtin in local.into_iter().filter(|g| !seen.contains(g)) {
        removed += delete.execute([gtin])? as u64;
    }
    Ok(removed)
}

const CATALOG: Feed<CatalogPage> = Feed {
    name: CATALOG_FEED,
    check: check_catalog_page,
    next: |p| (p.next_cursor.clone(), p.has_more),
    len: |p| p.variants.len(),
    remaining: |p| p.remaining,
    apply: apply_catalog_page,
    prune: |tx, seen| {
        let removed = prune_unseen(tx, "variants", seen)?;
        tx.execute(
            "DELETE FROM styles WHERE id NOT IN (SELECT style_id FROM variants)",
            [],
        )?;
        Ok(removed)
    },
};

const STOCK: Feed<StockPage> = Feed {
    name: STOCK_FEED,
    check: |page, cursor| {
        page.items
            .iter()
            .map(|i| parse_gtin(STOCK_FEED, cursor, &i.gtin))
            .collect()
    },
    next: |p| (p.next_cursor.clone(), p.has_more),
    len: |p| p.items.len(),
    remaining: |p| p.remaining,
    apply: apply_stock_page,
    prune: |tx, seen| {
        let removed = prune_unseen(tx, "store_stock", seen)?;
        if removed > 0 {
            crate::domain::stock::forget_undo(tx)?;
        }
        Ok(removed)
    },
};

/// When the kiosk last heard from the warehouse: the newest completed catalog or stock feed
/// among `feeds` (other feeds, such as a POS import, do not count).
pub fn last_sync_at<'a>(
    feeds: impl IntoIterator<Item = &'a db::FeedState>,
) -> Option<jiff::Timestamp> {
    feeds
        .into_iter()
        .filter(|f| f.feed == CATALOG_FEED || f.feed == STOCK_FEED)
        .filter_map(|f| f.synced_at.parse::<jiff::Timestamp>().ok())
        .max()
}

/// Runs a catalog sync, then a stock sync. Await it for the report alone, or sip it for a
/// [`PageDone`] after each page (the manager's progress bar, the CLI's spinner): the progress
/// is a stream of its own, so no caller hands in a callback or a channel.
pub fn sync(
    db: DbHandle,
    client: WarehouseClient,
    options: SyncOptions,
) -> impl Sipper<Result<SyncReport, SyncError>, PageDone> + Send + 'static {
    sipper(move |mut progress| async move { run_both(&db, &client, &options, &mut progress).await })
}

async fn run_both(
    db: &DbHandle,
    client: &WarehouseClient,
    options: &SyncOptions,
    progress: &mut Sender<PageDone>,
) -> Result<SyncReport, SyncError> {
    let started = Instant::now();
    db.call(|db| db.set_bulk_cache(true)).await?;
    let synced = run_feeds(db, client, options, progress).await;
    db.call(|db| db.set_bulk_cache(false)).await?;
    let (catalog, stock) = synced?;
    Ok(SyncReport {
        catalog,
        stock,
        duration: started.elapsed(),
    })
}

async fn run_feeds(
    db: &DbHandle,
    client: &WarehouseClient,
    options: &SyncOptions,
    progress: &mut Sender<PageDone>,
) -> Result<(FeedCounts, FeedCounts), SyncError> {
    let (limit, store) = (options.page_size, options.store_id.as_str());
    let catalog = run_feed(
        db,
        CATALOG,
        options.full,
        limit,
        progress,
        |cursor, count| async move { client.catalog_changes_counted(&cursor, limit, count).await },
    )
    .await?;
    let stock = run_feed(
        db,
        STOCK,
        options.full,
        limit,
        progress,
        |cursor, count| async move {
            client
                .stock_changes_counted(store, &cursor, limit, count)
                .await
        },
    )
    .await?;
    Ok((catalog, stock))
}

/// Syncs every `interval` until `stop` fires (for the GUI). Failures are logged and retried
/// at the next tick; the cursors make each run resume where the last stopped.
pub async fn run_periodic(
    db: DbHandle,
    client: WarehouseClient,
    options: SyncOptions,
    interval: Duration,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    crate::runtime::periodic::every(interval, stop, || async {
        match sync(db.clone(), client.clone(), options.clone()).await {
            Ok(report) => tracing::info!(?report.catalog, ?report.stock, "background sync done"),
            Err(e) => tracing::warn!(error = %e, "background sync failed"),
        }
    })
    .await;
}
