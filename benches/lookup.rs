//! Lookup of a style's size grid at 1,000,000 variants: p50 and p99 (budget: p99 < 200 µs).
//! `cargo bench --no-default-features --bench lookup`

mod common;

use std::fs::File;
use std::time::{Duration, Instant};

use kiosk::db::Database;
use kiosk::devtools::bench_data::gtin;
use kiosk::domain::catalog;
use kiosk::domain::stock::{self, ImportOptions};

fn main() {
    let data = common::data();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lookup.sqlite3");
    std::fs::copy(&data.database, &path).expect("copy catalog");
    let mut db = Database::open(&path).expect("open");
    let file = File::open(&data.stock_csv).expect("stock csv");
    stock::import_stock(&mut db, file, "bench", ImportOptions::default(), &mut ()).expect("import");

    // A fixed pseudo-random walk over the catalog (an LCG): every lookup a different style,
    // so the numbers include cache misses, not one hot page.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % common::VARIANTS
    };
    for _ in 0..5_000 {
        catalog::size_grid(db.conn(), gtin(next()))
            .expect("lookup")
            .expect("found");
    }
    let runs = 100_000;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut sizes = 0usize;
    for _ in 0..runs {
        let g = gtin(next());
        let started = Instant::now();
        let grid = catalog::size_grid(db.conn(), g)
            .expect("lookup")
            .expect("found");
        times.push(started.elapsed());
        sizes += grid.sizes.len();
    }
    times.sort_unstable();
    println!(
        "lookup: size grid at {} variants, {runs} lookups ({:.1} sizes each): p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        common::VARIANTS,
        sizes as f64 / runs as f64,
        common::quantile(&times, 0.50).as_secs_f64() * 1e6,
        common::quantile(&times, 0.99).as_secs_f64() * 1e6,
        times[times.len() - 1].as_secs_f64() * 1e6,
    );
}
