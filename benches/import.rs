//! `import-stock` of a 1,000,000-row CSV against a 1,000,000-variant catalog (budget: < 5 s;
//! issue 16: ≤ 2× the floor), side by side with the floor — `sqlite3`'s own `.import` of the
//! same file, into a bare table and into a table keyed by an integer GTIN — in one run:
//! - in the library: the first import into an empty stock, the same export again, and the
//!   next day's export (5 % of the sizes with a new count and date, 0.5 % gone), with and
//!   without the undo log;
//! - whole processes: `kiosk import-stock` (this bench's build of the binary) for the first
//!   import and the next day's.
//!
//! `cargo bench --no-default-features --bench import` (needs the `sqlite3` command).

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use kiosk::db::Database;
use kiosk::domain::stock::{self, ImportOptions, ImportReport};

/// Runs of each case (`KIOSK_BENCH_RUNS` to change, e.g. 1 while trying something).
fn runs() -> usize {
    std::env::var("KIOSK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    common::quantile(&times, 0.5)
}

/// The next day's export: every 20th size with another count and date, every 200th gone.
fn next_day(today: &Path, into: &Path) -> u64 {
    let input = BufReader::new(File::open(today).expect("stock csv"));
    let mut out = BufWriter::new(File::create(into).expect("next day csv"));
    let mut rows = 0;
    for (i, line) in input.lines().enumerate() {
        let line = line.expect("line");
        if i == 0 {
            writeln!(out, "{line}").expect("write");
            continue;
        }
        if i % 200 == 0 {
            continue;
        }
        rows += 1;
        if i % 20 == 0 {
            let gtin = line.split(',').next().expect("gtin");
            writeln!(out, "{gtin},{},2026-11-21T08:00:00Z", i % 7).expect("write");
        } else {
            writeln!(out, "{line}").expect("write");
        }
    }
    out.flush().expect("flush");
    rows
}

fn timed(run: impl FnOnce() -> ImportReport) -> (Duration, ImportReport) {
    let started = Instant::now();
    let report = run();
    (started.elapsed(), report)
}

/// `sqlite3 NEW_FILE [-cmd SETUP] .import`: the floor.
fn sqlite3_import(path: &Path, csv: &Path, setup: Option<&str>) -> Option<Duration> {
    let mut command = Command::new("sqlite3");
    command.arg(path);
    if let Some(setup) = setup {
        command.arg("-cmd").arg(setup);
    }
    let skip = if setup.is_some() { "--skip 1 " } else { "" };
    command
        .arg("-cmd")
        .arg(".mode csv")
        .arg(format!(".import {skip}{} stock", csv.display()));
    let started = Instant::now();
    match command.status() {
        Ok(s) if s.success() => Some(started.elapsed()),
        Ok(s) => panic!("sqlite3 .import failed: {s}"),
        Err(e) => {
            eprintln!(
                "sqlite3 not found ({e}); install it (apt-get install sqlite3) for the floor"
            );
            None
        }
    }
}

/// `kiosk --config DIR/kiosk.toml import-stock CSV`, the whole process.
fn kiosk_import(config: &Path, csv: &Path) -> Duration {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .arg("--config")
        .arg(config)
        .arg("import-stock")
        .arg(csv)
        .output()
        .expect("run kiosk");
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "kiosk import-stock failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    elapsed
}

fn fresh_copy(data: &Path, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::copy(data, &path).expect("copy catalog");
    path
}

fn main() {
    let data = common::data();
    let dir = tempfile::tempdir().expect("tempdir");
    let tomorrow = dir.path().join("next-day.csv");
    let tomorrow_rows = next_day(&data.stock_csv, &tomorrow);
    let import = |db: &mut Database, csv: &Path, options: ImportOptions| {
        let file = File::open(csv).expect("stock csv");
        stock::import_stock(db, file, "bench", options, &mut ()).expect("import")
    };
    let no_undo = ImportOptions {
        keep_undo: false,
        ..ImportOptions::default()
    };

    let (mut first, mut same, mut daily, mut daily_no_undo) = (vec![], vec![], vec![], vec![]);
    let (mut floor_bare, mut floor_keyed) = (vec![], vec![]);
    let (mut process_first, mut process_daily) = (vec![], vec![]);
    let mut daily_changed = 0;
    let runs = runs();
    for run in 0..runs {
        // Library: first, same again, next day; then next day again without the undo log on
        // a copy that has today's stock.
        let path = fresh_copy(&data.database, dir.path(), &format!("lib-{run}.sqlite3"));
        let mut db = Database::open(&path).expect("open");
        let (t, report) = timed(|| import(&mut db, &data.stock_csv, ImportOptions::default()));
        assert_eq!(report.imported, common::VARIANTS);
        first.push(t);
        let (t, report) = timed(|| import(&mut db, &data.stock_csv, ImportOptions::default()));
        assert_eq!(report.changed, 0);
        same.push(t);
        let (t, report) = timed(|| import(&mut db, &tomorrow, ImportOptions::default()));
        assert_eq!(report.imported, tomorrow_rows);
        daily_changed = report.changed + report.removed;
        daily.push(t);
        import(&mut db, &data.stock_csv, no_undo);
        daily_no_undo.push(timed(|| import(&mut db, &tomorrow, no_undo)).0);
        drop(db);
        let _ = std::fs::remove_file(&path);

        // Whole processes: a first import, then the next day's.
        let path = fresh_copy(&data.database, dir.path(), "process.sqlite3");
        let config = dir.path().join("kiosk.toml");
        std::fs::write(
            &config,
            format!(
                "[database]\npath = {:?}\ndemo_fixtures = \"\"\n",
                path.display().to_string()
            ),
        )
        .expect("config");
        process_first.push(kiosk_import(&config, &data.stock_csv));
        process_daily.push(kiosk_import(&config, &tomorrow));
        let _ = std::fs::remove_file(&path);

        // The floors, between ours so that a noisy minute hits both.
        let bare = dir.path().join(format!("bare-{run}.sqlite3"));
        floor_bare.extend(sqlite3_import(&bare, &data.stock_csv, None));
        let keyed = dir.path().join(format!("keyed-{run}.sqlite3"));
        floor_keyed.extend(sqlite3_import(
            &keyed,
            &data.stock_csv,
            Some(
                "CREATE TABLE stock (gtin INTEGER PRIMARY KEY, quantity INTEGER, updated_at TEXT)",
            ),
        ));
        for path in [bare, keyed] {
            let _ = std::fs::remove_file(path);
        }
    }

    let floor = [median(floor_bare.clone()), median(floor_keyed.clone())];
    let floor = if floor_bare.is_empty() {
        None
    } else {
        Some(floor[0].min(floor[1]))
    };
    let row = |what: &str, times: Vec<Duration>| {
        let t = median(times);
        match floor {
            Some(floor) => println!(
                "{what:<62} {:>6.2} s  {:>5.2}x",
                t.as_secs_f64(),
                t.as_secs_f64() / floor.as_secs_f64()
            ),
            None => println!("{what:<62} {:>6.2} s", t.as_secs_f64()),
        }
    };
    println!(
        "import of {} rows against {} variants, median of {runs} runs (ratio: to the lower floor)",
        common::VARIANTS,
        common::VARIANTS
    );
    row("library: first import into an empty stock", first);
    row("library: the same export again (nothing changes)", same);
    row(
        &format!("library: next day's export ({daily_changed} sizes change)"),
        daily,
    );
    row("library: next day's export, no undo log", daily_no_undo);
    row(
        "whole process `kiosk import-stock`: first import",
        process_first,
    );
    row(
        "whole process `kiosk import-stock`: next day's export",
        process_daily,
    );
    if !floor_bare.is_empty() {
        row("floor: sqlite3 .import into a bare table", floor_bare);
        row(
            "floor: sqlite3 .import into (gtin INTEGER PRIMARY KEY, …)",
            floor_keyed,
        );
    }
}
