//! The manager's analytics: scans per day and hour, the funnel, outcomes and lost sales (sizes
//! shoppers asked for that the store did not have), over any period.
//!
//! Finished days are folded into small per-day summaries (`event_days`, `event_hours`), so a
//! year's report reads a few thousand summary rows instead of millions of events, and raw
//! events can be pruned after `privacy.event_retention_days` without losing the history.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::db::{Database, DbError};
use crate::domain::events::kind;

pub mod charts;
pub mod generate;
#[cfg(test)]
mod tests;
pub mod upload;

/// The feed name under which the last summarised day is kept in `sync_cursors`.
const SUMMARY_FEED: &str = "event_summary";

/// Days from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    /// The `days` days ending with `today`.
    pub fn last_days(today: Date, days: i32) -> Self {
        Self {
            from: today
                .checked_sub(jiff::Span::new().days(i64::from(days.max(1) - 1)))
                .unwrap_or(today),
            to: today,
        }
    }

    pub fn days(&self) -> impl Iterator<Item = Date> + '_ {
        self.from
            .series(jiff::Span::new().days(1))
            .take_while(|d| *d <= self.to)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Funnel {
    /// Shopper sessions that found a product.
    pub scanned: u64,
    /// ... and chose a size.
    pub sized: u64,
    /// ... and ordered it shipped or asked for it from the stockroom.
    pub converted: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Outcomes {
    pub in_store: u64,
    pub dropship: u64,
    /// Ordered to this store, to collect here.
    pub to_store: u64,
    /// Reserved from another store's shelf, to collect there.
    pub reserved_elsewhere: u64,
    /// Left an e-mail address to hear when a size nobody had is back.
    pub back_in_stock: u64,
    /// Of all those, visits that converted on a style offered instead of a size nobody had.
    pub saved_by_substitute: u64,
    pub associate: u64,
    pub walked_away: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StyleDemand {
    pub style_code: String,
    pub name: String,
    pub count: u64,
}

/// One line of the reorder list: a style in one size, how often shoppers asked for it when the
/// store did not have it, and what the store holds of it now (every width summed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReorderLine {
    pub style_code: String,
    pub name: String,
    pub size_mm: u32,
    pub asked: u64,
    pub in_store_now: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analytics {
    pub period: (String, String),
    /// Every day of the period, zeros included.
    pub scans_per_day: Vec<(Date, u64)>,
    /// Scans by hour of the day (store time), summed over the period.
    pub scans_per_hour: [u64; 24],
    pub funnel: Funnel,
    pub outcomes: Outcomes,
    pub read_failures: u64,
    /// Sizes asked for that were not in the store, by style, most first.
    pub lost_by_style: Vec<StyleDemand>,
    /// The same by foot length in mm, ascending.
    pub lost_by_size: Vec<(u32, u64)>,
    /// Style × size, most asked first: what to reorder.
    pub reorder: Vec<ReorderLine>,
}

impl Analytics {
    pub fn total_scans(&self) -> u64 {
        self.scans_per_day.iter().map(|(_, n)| n).sum()
    }

    pub fn total_lost(&self) -> u64 {
        self.lost_by_size.iter().map(|(_, n)| n).sum()
    }
}

fn day_text(d: Date) -> String {
    d.strftime("%Y-%m-%d").to_string()
}

fn last_summarised(db: &Database) -> Result<Option<Date>, DbError> {
    Ok(db.feed(SUMMARY_FEED)?.and_then(|f| f.cursor.parse().ok()))
}

/// Folds every day before `today` that is not summarised yet into the summary tables. Safe to
/// run any time; each run is one transaction.
pub fn summarise(db: &mut Database, today: Date) -> Result<u64, DbError> {
    let Some(through) = today.yesterday().ok() else {
        return Ok(0);
    };
    let after = last_summarised(db)?;
    if after.is_some_and(|a| a >= through) {
        return Ok(0);
    }
    // Days after the last summarised one, up to yesterday, as a range of `at` (text compare:
    // "2026-11-23T10:00:00+01:00" >= "2026-11-23"), so the index on `at` is used.
    let start = after.map(|a| day_text(next_day(a))).unwrap_or_default();
    let end = day_text(next_day(through));
    let tx = db.conn_mut().transaction()?;
    let days = fold_days(&tx, &start, &end)?;
    crate::db::record_feed(
        &tx,
        SUMMARY_FEED,
        &day_text(through),
        &format!("{days} days summarised"),
    )?;
    tx.commit()?;
    Ok(days)
}

fn next_day(d: Date) -> Date {
    d.tomorrow().unwrap_or(d)
}

/// Summary rows for events with `start <= at < end`: per-day counts by kind (styles and sizes kept
/// only for missing sizes, the lost-sales report), scans per hour, and the session funnel.
fn fold_days(tx: &Transaction, lower: &str, upper: &str) -> Result<u64, DbError> {
    let range = "at >= ?1 AND at < ?2";
    tx.execute(
        &format!(
            "INSERT INTO event_days (day, kind, style_code, size_mm, count)
             SELECT substr(at, 1, 10), kind,
                    CASE WHEN kind = '{missing}' THEN coalesce(style_code, '') ELSE '' END,
                    CASE WHEN kind = '{missing}' THEN coalesce(size_mm, 0) ELSE 0 END,
                    count(*)
             FROM shopper_events WHERE {range}
             GROUP BY 1, 2, 3, 4
             ON CONFLICT DO UPDATE SET count = count + excluded.count",
            missing = kind::SIZE_MISSING
        ),
        params![lower, upper],
    )?;
    tx.execute(
        &format!(
            "INSERT INTO event_hours (day, hour, scans)
             SELECT substr(at, 1, 10), CAST(substr(at, 12, 2) AS INTEGER), count(*)
             FROM shopper_events WHERE kind = '{scan}' AND {range}
             GROUP BY 1, 2
             ON CONFLICT DO UPDATE SET scans = scans + excluded.scans",
            scan = kind::SCAN
        ),
        params![lower, upper],
    )?;
    // The funnel counts sessions, which only raw events know: keep one number per step and day.
    tx.execute(
        &format!(
            "INSERT INTO event_days (day, kind, style_code, size_mm, count)
             SELECT day, step, '', 0, count(*) FROM (
                 SELECT min(substr(at, 1, 10)) AS day, {steps} FROM shopper_events
                 WHERE {range} GROUP BY session
             ), (SELECT 'funnel_scanned' AS step UNION ALL SELECT 'funnel_sized'
                 UNION ALL SELECT 'funnel_converted')
             WHERE (step = 'funnel_scanned' AND scanned) OR (step = 'funnel_sized' AND sized)
                OR (step = 'funnel_converted' AND converted)
             GROUP BY day, step
             ON CONFLICT DO UPDATE SET count = count + excluded.count",
            steps = funnel_columns()
        ),
        params![lower, upper],
    )?;
    let days: u64 = tx.query_row(
        &format!("SELECT count(DISTINCT substr(at, 1, 10)) FROM shopper_events WHERE {range}"),
        params![lower, upper],
        |r| r.get(0),
    )?;
    Ok(days)
}

fn funnel_columns() -> String {
    format!(
        "max(kind = '{scan}') AS scanned,
         max(kind IN ('{sin}', '{smiss}')) AS sized,
         max(kind IN ('{req}', '{ord}', '{to_store}', '{elsewhere}')) AS converted",
        scan = kind::SCAN,
        sin = kind::SIZE_IN_STORE,
        smiss = kind::SIZE_MISSING,
        req = kind::IN_STORE_REQUEST,
        ord = kind::DROPSHIP_ORDER,
        to_store = kind::SHIP_TO_STORE_ORDER,
        elsewhere = kind::RESERVED_ELSEWHERE
    )
}

/// Summarises what is not yet, then deletes raw events older than `retention_days` before
/// `today`. Returns how many events went.
pub fn prune(db: &mut Database, today: Date, retention_days: u32) -> Result<u64, DbError> {
    summarise(db, today)?;
    let Some(summarised) = last_summarised(db)? else {
        return Ok(0);
    };
    let cutoff = today
        .checked_sub(jiff::Span::new().days(i64::from(retention_days)))
        .unwrap_or(today);
    // Never delete what is not in the summaries yet.
    let cutoff = day_text(cutoff.min(summarised.tomorrow().unwrap_or(summarised)));
    let removed = db
        .conn()
        .execute("DELETE FROM shopper_events WHERE at < ?1", params![cutoff])?;
    Ok(removed as u64)
}

/// The analytics for `period`: summaries for summarised days, raw events for the rest (today).
pub fn query(db: &Database, period: Period) -> Result<Analytics, DbError> {
    let (from, to) = (day_text(period.from), day_text(period.to));
    // Raw events are read only for days not summarised yet, by a range on `at` (indexed).
    let raw_from = match last_summarised(db)? {
        Some(d) => day_text(next_day(d).max(period.from)),
        None => from.clone(),
    };
    let raw_to = day_text(next_day(period.to));
    let conn = db.conn();

    // kind -> count, and per day scans, over summaries ∪ raw.
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT day, kind, sum(count) FROM event_days WHERE day BETWEEN ?1 AND ?2 GROUP BY 1, 2
         UNION ALL
         SELECT substr(at, 1, 10), kind, count(*) FROM shopper_events
         WHERE at >= ?3 AND at < ?4 GROUP BY 1, 2",
    )?;
    let rows = stmt.query_map(params![from, to, raw_from, raw_to], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, u64>(2)?,
        ))
    })?;
    for row in rows {
        let (day, kind, count) = row?;
        if kind == kind::SCAN {
            *per_day.entry(day).or_default() += count;
        }
        *by_kind.entry(kind).or_default() += count;
    }
    let count = |k: &str| by_kind.get(k).copied().unwrap_or(0);

    // The funnel for raw days comes from sessions.
    let raw_funnel: (u64, u64, u64) = conn.query_row(
        &format!(
            "SELECT coalesce(sum(scanned), 0), coalesce(sum(sized), 0), coalesce(sum(converted), 0)
             FROM (SELECT {} FROM shopper_events
                   WHERE at >= ?3 AND at < ?4
                   GROUP BY session)",
            funnel_columns()
        ),
        params![from, to, raw_from, raw_to],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;

    let mut scans_per_hour = [0u64; 24];
    let mut stmt = conn.prepare(&format!(
        "SELECT hour, sum(scans) FROM event_hours WHERE day BETWEEN ?1 AND ?2 GROUP BY 1
         UNION ALL
         SELECT CAST(substr(at, 12, 2) AS INTEGER), count(*) FROM shopper_events
         WHERE kind = '{}' AND at >= ?3 AND at < ?4
         GROUP BY 1",
        kind::SCAN
    ))?;
    for row in stmt.query_map(params![from, to, raw_from, raw_to], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, u64>(1)?))
    })? {
        let (hour, n) = row?;
        if let Some(slot) = usize::try_from(hour)
            .ok()
            .and_then(|h| scans_per_hour.get_mut(h))
        {
            *slot += n;
        }
    }

    // Lost sales: missing sizes by style and by size.
    let mut lost: BTreeMap<(String, u32), u64> = BTreeMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT style_code, size_mm, sum(count) FROM event_days
         WHERE kind = '{missing}' AND day BETWEEN ?1 AND ?2 GROUP BY 1, 2
         UNION ALL
         SELECT coalesce(style_code, ''), coalesce(size_mm, 0), count(*) FROM shopper_events
         WHERE kind = '{missing}' AND at >= ?3 AND at < ?4 GROUP BY 1, 2",
        missing = kind::SIZE_MISSING
    ))?;
    for row in stmt.query_map(params![from, to, raw_from, raw_to], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, u32>(1)?,
            r.get::<_, u64>(2)?,
        ))
    })? {
        let (style, size, n) = row?;
        *lost.entry((style, size)).or_default() += n;
    }
    let mut by_style: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_size: BTreeMap<u32, u64> = BTreeMap::new();
    for ((style, size), n) in &lost {
        *by_style.entry(style.clone()).or_default() += n;
        *by_size.entry(*size).or_default() += n;
    }
    let mut name_of =
        conn.prepare_cached("SELECT brand || ' ' || name FROM styles WHERE style_code = ?1")?;
    let mut name = |style_code: &str| -> Result<String, DbError> {
        Ok(name_of
            .query_row([style_code], |r| r.get::<_, String>(0))
            .optional()?
            .unwrap_or_else(|| style_code.to_owned()))
    };
    let mut in_store_now = conn.prepare_cached(
        "SELECT coalesce(sum(k.quantity), 0) FROM styles s
         JOIN variants v ON v.style_id = s.id JOIN store_stock k ON k.gtin = v.gtin
         WHERE s.style_code = ?1 AND v.size_mm = ?2",
    )?;
    let mut reorder = Vec::with_capacity(lost.len());
    for ((style_code, size_mm), asked) in lost {
        reorder.push(ReorderLine {
            name: name(&style_code)?,
            in_store_now: in_store_now.query_row(params![style_code, size_mm], |r| r.get(0))?,
            style_code,
            size_mm,
            asked,
        });
    }
    reorder.sort_by(|a, b| {
        b.asked
            .cmp(&a.asked)
            .then_with(|| a.style_code.cmp(&b.style_code))
            .then(a.size_mm.cmp(&b.size_mm))
    });
    let mut lost_by_style = Vec::with_capacity(by_style.len());
    for (style_code, count) in by_style {
        let name = name(&style_code)?;
        lost_by_style.push(StyleDemand {
            style_code,
            name,
            count,
        });
    }
    lost_by_style.sort_by(|a, b| b.count.cmp(&a.count).then(a.style_code.cmp(&b.style_code)));

    Ok(Analytics {
        period: (from, to),
        scans_per_day: period
            .days()
            .map(|d| (d, per_day.get(&day_text(d)).copied().unwrap_or(0)))
            .collect(),
        scans_per_hour,
        funnel: Funnel {
            scanned: count("funnel_scanned") + raw_funnel.0,
            sized: count("funnel_sized") + raw_funnel.1,
            converted: count("funnel_converted") + raw_funnel.2,
        },
        outcomes: Outcomes {
            in_store: count(kind::IN_STORE_REQUEST),
            dropship: count(kind::DROPSHIP_ORDER),
            to_store: count(kind::SHIP_TO_STORE_ORDER),
            reserved_elsewhere: count(kind::RESERVED_ELSEWHERE),
            saved_by_substitute: count(kind::SAVED_BY_SUBSTITUTE),
            back_in_stock: count(kind::BACK_IN_STOCK_REQUEST),
            associate: count(kind::ASSOCIATE_CALLED),
            walked_away: count(kind::WALKED_AWAY),
        },
        read_failures: count(kind::READ_FAILED),
        lost_by_style,
        lost_by_size: by_size.into_iter().collect(),
        reorder,
    })
}

/// The analytics as one long CSV: `metric,key,label,count`, one row per bar of every chart, so
/// a spreadsheet can pivot it. Sizes are foot lengths in mm with the EU label beside them.
pub fn write_csv<W: std::io::Write>(a: &Analytics, out: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["metric", "key", "label", "count"])?;
    for (day, n) in &a.scans_per_day {
        w.write_record(["scans_per_day", &day_text(*day), "", &n.to_string()])?;
    }
    for (hour, n) in a.scans_per_hour.iter().enumerate() {
        w.write_record([
            "scans_per_hour",
            &hour.to_string(),
            &format!("{hour:02}:00"),
            &n.to_string(),
        ])?;
    }
    let f = a.funnel;
    for (step, n) in [
        ("scanned", f.scanned),
        ("sized", f.sized),
        ("converted", f.converted),
    ] {
        w.write_record(["funnel", step, "", &n.to_string()])?;
    }
    let o = a.outcomes;
    for (what, n) in [
        ("in_store", o.in_store),
        ("dropship", o.dropship),
        ("to_store", o.to_store),
        ("reserved_elsewhere", o.reserved_elsewhere),
        ("saved_by_substitute", o.saved_by_substitute),
        ("back_in_stock", o.back_in_stock),
        ("associate_called", o.associate),
        ("walked_away", o.walked_away),
        ("read_failed", a.read_failures),
    ] {
        w.write_record(["outcome", what, "", &n.to_string()])?;
    }
    for s in &a.lost_by_style {
        w.write_record([
            "lost_by_style",
            &s.style_code,
            &s.name,
            &s.count.to_string(),
        ])?;
    }
    for (mm, n) in &a.lost_by_size {
        w.write_record([
            "lost_by_size",
            &mm.to_string(),
            &size_label(*mm),
            &n.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The reorder list as a spreadsheet opens it: one row per style and size, most asked first,
/// with headers in words. Starts with a UTF-8 byte-order mark, without which Excel reads accented
/// names as mojibake.
pub fn write_reorder_csv<W: std::io::Write>(a: &Analytics, mut out: W) -> Result<(), csv::Error> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "Style code",
        "Style",
        "Size",
        "Foot length (mm)",
        "Asked for, not in store",
        "In store now",
        "Period",
    ])?;
    let period = format!("{} to {}", a.period.0, a.period.1);
    for line in &a.reorder {
        w.write_record([
            line.style_code.as_str(),
            &line.name,
            &size_label(line.size_mm),
            &line.size_mm.to_string(),
            &line.asked.to_string(),
            &line.in_store_now.to_string(),
            &period,
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// How the reorder lists' file names start (the manager's stock-file list leaves them out).
pub const REORDER_FILE_PREFIX: &str = "reorder-";

/// Why the reorder list was not saved. Cloneable (the sources are shared) so the dashboard's
/// messages can carry it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ExportError {
    #[error("cannot save the reorder list in {dir}: {source}")]
    Write {
        dir: std::path::PathBuf,
        source: Arc<std::io::Error>,
    },
    #[error("cannot write the reorder list: {0}")]
    Csv(Arc<csv::Error>),
    #[error("the save stopped before it finished: {0}")]
    Stopped(String),
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        Self::Csv(Arc::new(e))
    }
}

/// Saves the reorder list as `reorder-STORE-FROM-TO.csv` in `dir` (a USB stick, the import
/// share). Written to a temporary name, flushed to the device, then renamed: a stick pulled
/// out early holds no half file under the real name.
pub fn export_reorder(
    a: &Analytics,
    dir: &std::path::Path,
    store_id: &str,
) -> Result<std::path::PathBuf, ExportError> {
    let io = |source| ExportError::Write {
        dir: dir.to_owned(),
        source: Arc::new(source),
    };
    // A store id is checked at config load, but a file name must never hold a path.
    let store: String = store_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = format!(
        "{REORDER_FILE_PREFIX}{store}-{}-{}.csv",
        a.period.0, a.period.1
    );
    let path = dir.join(&name);
    let partial = dir.join(format!(".{name}.partial"));
    let mut file = std::fs::File::create(&partial).map_err(io)?;
    let written = write_reorder_csv(a, &mut file)
        .map_err(ExportError::from)
        .and_then(|()| file.sync_all().map_err(io))
        .and_then(|()| std::fs::rename(&partial, &path).map_err(io));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written.map(|()| path)
}

/// "EU 42" for a foot length, or "280 mm" off the chart.
pub fn size_label(mm: u32) -> String {
    let labels = u16::try_from(mm)
        .map(|mm| crate::domain::sizes::SizeChart::embedded().labels(mm))
        .ok();
    match labels {
        Some(l) if !l.eu.is_empty() => format!("EU {}", l.eu),
        _ => format!("{mm} mm"),
    }
}

/// Folds finished days into the summaries and prunes raw events older than `retention_days`,
/// now and every hour until `stop` fires (the kiosk runs for years; the file must not grow
/// without bound).
pub async fn run_maintenance(
    db: crate::db::DbHandle,
    retention_days: u32,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let hour = std::time::Duration::from_secs(3600);
    crate::runtime::periodic::every(hour, stop, || async {
        let today = jiff::Zoned::now().date();
        match db.call(move |db| prune(db, today, retention_days)).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "old shopper events summarised and pruned"),
            Err(e) => tracing::warn!(error = %e, "shopper event maintenance failed"),
        }
    })
    .await;
}
