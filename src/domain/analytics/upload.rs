//! The kiosk's finished days, sent to the chain's warehouse (`kiosk warehouse report` sums
//! every store's): each day once it is folded into the summaries, as counts only. A day the
//! warehouse has not acknowledged stays unsent and goes at the next round, so a warehouse away
//! for days loses nothing; sending a day twice replaces it there, never adds it twice.

use jiff::civil::Date;
use rusqlite::params;

use super::{day_text, last_summarised, summarise};
use crate::db::{Database, DbError};
use crate::warehouse::protocol::{DayCount, DaySummary};

/// Days sent per round at most (a kiosk back after a long time catches up over rounds).
const DAYS_PER_ROUND: usize = 60;

/// How often a kiosk looks for days to send.
pub const UPLOAD_INTERVAL: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Summarised days not yet acknowledged by the warehouse, oldest first.
pub fn unsent_days(db: &Database) -> Result<Vec<String>, DbError> {
    let Some(through) = last_summarised(db)? else {
        return Ok(Vec::new());
    };
    let mut stmt = db.conn().prepare(
        "SELECT day FROM (SELECT day FROM event_days UNION SELECT day FROM event_hours)
          WHERE day <= ?1 AND day NOT IN (SELECT day FROM day_uploads)
          ORDER BY day LIMIT ?2",
    )?;
    let days = stmt
        .query_map(params![day_text(through), DAYS_PER_ROUND], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(days)
}

/// The summary of `day` as the warehouse takes it.
pub fn day_summary(db: &Database, day: &str) -> Result<DaySummary, DbError> {
    let conn = db.conn();
    let counts = conn
        .prepare(
            "SELECT kind, style_code, size_mm, count FROM event_days WHERE day = ?1
              ORDER BY kind, style_code, size_mm",
        )?
        .query_map([day], |r| {
            Ok(DayCount {
                kind: r.get(0)?,
                style_code: r.get(1)?,
                size_mm: r.get(2)?,
                count: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut scans_per_hour = vec![0u64; 24];
    let mut stmt = conn.prepare("SELECT hour, scans FROM event_hours WHERE day = ?1")?;
    for row in stmt.query_map([day], |r| Ok((r.get::<_, usize>(0)?, r.get::<_, u64>(1)?)))? {
        let (hour, scans) = row?;
        if let Some(slot) = scans_per_hour.get_mut(hour) {
            *slot = scans;
        }
    }
    Ok(DaySummary {
        day: day.to_owned(),
        counts,
        scans_per_hour,
    })
}

pub fn mark_sent(db: &Database, day: &str) -> Result<(), DbError> {
    db.conn().execute(
        "INSERT INTO day_uploads (day, sent_at) VALUES (?1, ?2)
         ON CONFLICT (day) DO UPDATE SET sent_at = ?2",
        params![day, crate::db::now_rfc3339()],
    )?;
    Ok(())
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadRound {
    pub sent: usize,
    /// Days left for a later round (the warehouse was away, or there were many).
    pub left: usize,
}

/// Folds finished days, then sends every unsent one, oldest first; stops at the first the
/// warehouse does not take (the rest wait for the next round).
pub async fn upload_days(
    db: &crate::db::DbHandle,
    client: &crate::warehouse::WarehouseClient,
    store_id: &str,
    kiosk_id: &str,
    today: Date,
) -> Result<UploadRound, DbError> {
    let days = db
        .call(move |db| {
            summarise(db, today)?;
            unsent_days(db)
        })
        .await?;
    let mut round = UploadRound {
        sent: 0,
        left: days.len(),
    };
    for day in days {
        let summary = {
            let day = day.clone();
            db.call(move |db| day_summary(db, &day)).await?
        };
        if let Err(e) = client.day_summary(store_id, kiosk_id, &summary).await {
            tracing::debug!(%day, error = %e.summary(), "day summary not delivered; sent at the next round");
            break;
        }
        let sent = day.clone();
        db.call(move |db| mark_sent(db, &sent)).await?;
        round.sent += 1;
        round.left -= 1;
    }
    Ok(round)
}

/// Sends finished days to the chain's warehouse now and every [`UPLOAD_INTERVAL`] until `stop`
/// fires. A mapped warehouse has no such endpoint: nothing is sent.
pub async fn run_uploads(
    db: crate::db::DbHandle,
    client: crate::warehouse::WarehouseClient,
    store_id: String,
    kiosk_id: String,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    if !client.takes_day_summaries() {
        return;
    }
    crate::runtime::periodic::every(UPLOAD_INTERVAL, stop, || async {
        let today = jiff::Zoned::now().date();
        match upload_days(&db, &client, &store_id, &kiosk_id, today).await {
            Ok(UploadRound { sent: 0, .. }) => {}
            Ok(round) => tracing::info!(
                sent = round.sent,
                left = round.left,
                "finished days sent to the chain's warehouse"
            ),
            Err(e) => tracing::warn!(error = %e, "reading finished days to send failed"),
        }
    })
    .await;
}
