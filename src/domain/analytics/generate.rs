//! A deterministic busy kiosk, for tests with known answers and for the benchmark. Session `i`
//! of a day (0-based) follows a fixed pattern, so totals have closed forms:
//! - one scan, at hour `10 + i % 8`, of style `styles[(i + i / 10) % styles.len()]`;
//! - even `i` choose a size: foot length `230 + 10 * ((i / 2) % 6)` mm, missing from the store
//!   when `(i / 2) % 5 == 0`;
//! - `i % 4 == 0` convert: a dropship order when the size was missing, else an in-store request;
//! - every other session walks away; `i % 25 == 0` also calls an associate;
//! - three failed reads a day.

use jiff::civil::Date;

use crate::db::{Database, DbError};
use crate::domain::barcode::Gtin;
use crate::domain::events::{Event, ReadFailure, record_at};

pub fn session_events(i: usize, styles: &[(String, Gtin)]) -> (u32, Vec<Event>) {
    let (style, gtin) = styles[(i + i / 10) % styles.len()].clone();
    let hour = 10 + (i % 8) as u32;
    let mut events = vec![Event::Scan {
        gtin,
        style: style.clone(),
    }];
    if i.is_multiple_of(25) {
        events.push(Event::AssociateCalled);
    }
    let sized = i.is_multiple_of(2);
    let missing = (i / 2).is_multiple_of(5);
    if sized {
        events.push(Event::SizeChosen {
            gtin,
            style: style.clone(),
            size_mm: 230 + 10 * ((i / 2) % 6) as u32,
            in_store: !missing,
        });
    }
    if sized && i.is_multiple_of(4) {
        events.push(if missing {
            Event::DropshipOrder { gtin, style }
        } else {
            Event::InStoreRequest { gtin, style }
        });
    } else {
        events.push(Event::WalkedAway);
    }
    (hour, events)
}

/// Writes `days` days starting at `first`, `sessions_per_day` sessions each, in one transaction.
pub fn write_days(
    db: &mut Database,
    first: Date,
    days: u32,
    sessions_per_day: usize,
    styles: &[(String, Gtin)],
) -> Result<u64, DbError> {
    let tx = db.conn_mut().transaction()?;
    let mut written = 0u64;
    {
        for d in 0..days {
            let day = first
                .checked_add(jiff::Span::new().days(i64::from(d)))
                .unwrap_or(first);
            for i in 0..sessions_per_day {
                let session = format!("{day}-{i}");
                let (hour, events) = session_events(i, styles);
                for (k, event) in events.iter().enumerate() {
                    let at = format!("{day}T{hour:02}:{:02}:{:02}+01:00", i % 60, k % 60);
                    record_at(&tx, &session, &at, event)?;
                    written += 1;
                }
            }
            for k in 0..3 {
                let at = format!("{day}T09:0{k}:00+01:00");
                let failed = Event::ReadFailed {
                    reason: ReadFailure::Unknown,
                };
                record_at(&tx, &format!("{day}-fail-{k}"), &at, &failed)?;
                written += 1;
            }
        }
    }
    tx.commit()?;
    Ok(written)
}

/// Four weeks of sample shoppers ending yesterday, busier at the weekend, for the demo
/// database built from `fixtures/` (so the manager's charts have something to show).
pub fn demo_weeks(
    db: &mut Database,
    today: Date,
    styles: &[(String, Gtin)],
) -> Result<u64, DbError> {
    let mut written = 0;
    for back in (1..=28).rev() {
        let day = today
            .checked_sub(jiff::Span::new().days(back))
            .unwrap_or(today);
        // Monday .. Sunday.
        let sessions =
            [60, 70, 75, 80, 110, 160, 90][day.weekday().to_monday_zero_offset() as usize];
        written += write_days(db, day, 1, sessions, styles)?;
    }
    Ok(written)
}
