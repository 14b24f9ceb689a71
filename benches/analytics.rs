//! The manager's analytics over a year of a busy kiosk: 2,000 shoppers a day for 365 days
//! (about 1.9 million events) in a SQLite file on disk. Medians of repeated runs of: the
//! year's query over raw events (nothing summarised yet: the worst case), the one-time
//! summarising, the year's query over summaries (the normal case), and the six SVG charts.
//! `cargo bench --no-default-features --bench analytics`

use std::time::{Duration, Instant};

use jiff::civil::Date;
use kiosk::db::Database;
use kiosk::domain::analytics::{self, Period, charts, generate};
use kiosk::domain::barcode::Gtin;

const DAYS: u32 = 365;
const SESSIONS_PER_DAY: usize = 2000;

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort_unstable();
    runs[runs.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let started = Instant::now();
                std::hint::black_box(f());
                started.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = Database::open(&dir.path().join("year.sqlite3")).expect("db");
    let styles: Vec<(String, Gtin)> = (0..40)
        .map(|i| {
            (
                format!("ST-{i:03}"),
                Gtin::from_stored(4_000_000_000_000 + i).expect("gtin"),
            )
        })
        .collect();
    let first: Date = "2025-11-23".parse().expect("date");
    let today: Date = "2026-11-23".parse().expect("date");
    let started = Instant::now();
    let events =
        generate::write_days(&mut db, first, DAYS, SESSIONS_PER_DAY, &styles).expect("events");
    println!(
        "analytics: {events} events ({DAYS} days x {SESSIONS_PER_DAY} shoppers) written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let year = Period {
        from: first,
        to: today,
    };

    let raw = time(5, || analytics::query(&db, year).expect("query"));
    let started = Instant::now();
    let days = analytics::summarise(&mut db, today).expect("summarise");
    let summarise = started.elapsed();
    let summarised = time(21, || analytics::query(&db, year).expect("query"));
    let a = analytics::query(&db, year).expect("query");
    let svg = time(21, || {
        charts::bar_sets(&a)
            .iter()
            .map(|c| charts::svg(c).expect("svg").len())
            .sum::<usize>()
    });
    let summary_rows: u64 = db
        .conn()
        .query_row(
            "SELECT (SELECT count(*) FROM event_days) + (SELECT count(*) FROM event_hours)",
            [],
            |r| r.get(0),
        )
        .expect("count");
    println!(
        "analytics: year query over raw events (median of 5): {:.1} ms",
        ms(raw)
    );
    println!(
        "analytics: summarising {days} days once: {:.1} ms ({summary_rows} summary rows)",
        ms(summarise)
    );
    println!(
        "analytics: year query over summaries (median of 21): {:.2} ms ({:.0}x faster than raw)",
        ms(summarised),
        raw.as_secs_f64() / summarised.as_secs_f64()
    );
    println!(
        "analytics: six SVG charts for the year (median of 21): {:.2} ms",
        ms(svg)
    );
    assert_eq!(a.total_scans(), u64::from(DAYS) * SESSIONS_PER_DAY as u64);
}
