//! `import-stock` of a 1,000,000-row CSV against a 1,000,000-variant catalog (budget: < 5 s),
//! with and without the copy of the stock kept for undo,
//! and the ratio to `sqlite3`'s own `.import` of the same file into a bare table (the floor).
//! `cargo bench --no-default-features --bench import` (needs the `sqlite3` command).

mod common;

use std::fs::File;
use std::process::Command;
use std::time::{Duration, Instant};

use kiosk::db::Database;
use kiosk::domain::stock::{self, ImportOptions};

const RUNS: usize = 5;

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    common::quantile(&times, 0.5)
}

fn main() {
    let data = common::data();
    let dir = tempfile::tempdir().expect("tempdir");

    let import_with = |db: &mut Database, options: ImportOptions| {
        let file = File::open(&data.stock_csv).expect("stock csv");
        let started = Instant::now();
        let report = stock::import_stock(db, file, "bench", options, &mut ()).expect("import");
        assert_eq!(report.imported, common::VARIANTS);
        started.elapsed()
    };
    let import = |db: &mut Database| import_with(db, ImportOptions::default());
    // The same re-import without keeping the stock for undo: what the undo costs.
    let no_undo = ImportOptions {
        keep_undo: false,
        ..ImportOptions::default()
    };
    // First import into an empty stock table, and the daily case: the same export again over
    // a full table (replace mode deletes and rewrites every row).
    let (mut ours, mut again, mut again_no_undo) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..RUNS {
        let path = dir.path().join(format!("import-{run}.sqlite3"));
        std::fs::copy(&data.database, &path).expect("copy catalog");
        let mut db = Database::open(&path).expect("open");
        ours.push(import(&mut db));
        again.push(import(&mut db));
        again_no_undo.push(import_with(&mut db, no_undo));
        drop(db);
        let _ = std::fs::remove_file(&path);
    }
    let ours = median(ours);
    let again = median(again);
    let again_no_undo = median(again_no_undo);

    let mut floor = Vec::new();
    for run in 0..RUNS {
        let path = dir.path().join(format!("bare-{run}.sqlite3"));
        let started = Instant::now();
        let status = Command::new("sqlite3")
            .arg(&path)
            .arg("-cmd")
            .arg(".mode csv")
            .arg(format!(".import {} stock", data.stock_csv.display()))
            .status();
        let elapsed = started.elapsed();
        match status {
            Ok(s) if s.success() => floor.push(elapsed),
            Ok(s) => panic!("sqlite3 .import failed: {s}"),
            Err(e) => {
                eprintln!(
                    "sqlite3 not found ({e}); install it (apt-get install sqlite3) for the floor"
                );
                break;
            }
        }
    }
    print!(
        "import: {} rows against {} variants, median of {RUNS} runs: first import {:.2} s, \
         re-import over full stock {:.2} s (without keeping the undo copy {:.2} s)",
        common::VARIANTS,
        common::VARIANTS,
        ours.as_secs_f64(),
        again.as_secs_f64(),
        again_no_undo.as_secs_f64()
    );
    if floor.is_empty() {
        println!();
    } else {
        let floor = median(floor);
        println!(
            "; sqlite3 .import into a bare table: median {:.2} s; ratio {:.2}x",
            floor.as_secs_f64(),
            ours.as_secs_f64() / floor.as_secs_f64()
        );
    }
}
