//! Lookup of a style's size grid at 1,000,000 variants: p50 and p99 (budget: p99 < 200 µs);
//! and the whole process, `kiosk lookup CODE` (this bench's build of the binary), against the
//! floor of a process that opens the file and runs one indexed query (`sqlite3`), median of 11
//! each, in the same run (issue 16: < 50 ms).
//! `cargo bench --no-default-features --bench lookup`

mod common;

use std::fs::File;
use std::path::Path;
use std::process::Command;
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
    drop(db);
    whole_process(&path, dir.path());
}

/// Median wall time of `command` run `RUNS` times (each must succeed).
fn median_of(mut command: impl FnMut() -> Command) -> Duration {
    const RUNS: usize = 11;
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let output = command().output().expect("run");
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            started.elapsed()
        })
        .collect();
    times.sort_unstable();
    common::quantile(&times, 0.5)
}

fn whole_process(database: &Path, dir: &Path) {
    let config = dir.join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\npath = {:?}\ndemo_fixtures = \"\"\n",
            database.display().to_string()
        ),
    )
    .expect("config");
    let code = gtin(common::VARIANTS / 2);
    let ours = median_of(|| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kiosk"));
        c.arg("--config")
            .arg(&config)
            .arg("lookup")
            .arg(code.to_string());
        c
    });
    print!(
        "whole process `kiosk lookup {code}` at {} variants, median of 11: {:.1} ms",
        common::VARIANTS,
        ours.as_secs_f64() * 1e3
    );
    if Command::new("sqlite3").arg("--version").output().is_err() {
        println!(" (install sqlite3 for the floor)");
        return;
    }
    let floor = median_of(|| {
        let mut c = Command::new("sqlite3");
        c.arg(database).arg(format!(
            "SELECT * FROM variants WHERE gtin = {}",
            code.as_i64()
        ));
        c
    });
    println!(
        "; floor `sqlite3 FILE \"SELECT … WHERE gtin = …\"` {:.1} ms; ratio {:.1}x",
        floor.as_secs_f64() * 1e3,
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}
