//! Shared by the benchmark binaries: the generated 1,000,000-variant data set, made once and
//! reused (`target/bench-data`, or `$KIOSK_BENCH_DATA`).

use std::path::PathBuf;
use std::time::Duration;

use kiosk::devtools::bench_data::{self, BenchData};

pub const VARIANTS: u64 = 1_000_000;

#[allow(dead_code)] // not every bench uses the big data set
pub fn data() -> BenchData {
    let dir = std::env::var_os("KIOSK_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"));
    let database = dir.join("catalog.sqlite3");
    let stock_csv = dir.join("stock.csv");
    let complete = dir.join("complete-1000000");
    if database.exists() && stock_csv.exists() && complete.exists() {
        // Data made by an older build: bring it to this build's schema once, so no timed
        // open (a whole-process run on a copy) pays for the migration.
        kiosk::db::Database::open(&database).expect("migrate the bench catalog");
        return BenchData {
            database,
            stock_csv,
            variants: VARIANTS,
        };
    }
    eprintln!(
        "generating {VARIANTS} variants in {} (once)…",
        dir.display()
    );
    let data = bench_data::generate(&dir, VARIANTS).expect("generate bench data");
    std::fs::write(complete, b"").expect("mark bench data complete");
    data
}

/// The value at `q` (0..=1) of sorted durations.
#[allow(dead_code)]
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index]
}
