//! Generates large data sets for the benchmarks: a catalog of N variants in a kiosk database
//! and a POS stock export of N rows. Made on demand (`kiosk bench-data`), never committed.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::barcode::{Gtin, gs1_check_digit};
use crate::db::{Database, DbError};

/// Sizes per generated style (a typical men's run).
pub const SIZES_PER_STYLE: u64 = 16;

/// The `i`-th generated GTIN: company prefix 2 (in-store numbers, never a real product).
pub fn gtin(i: u64) -> Gtin {
    let body = 2_000_000_000_000 + i; // 13 digits
    let mut digits = [0u8; 14];
    let mut v = body;
    for slot in digits[..13].iter_mut().rev() {
        *slot = (v % 10) as u8;
        v /= 10;
    }
    digits[13] = gs1_check_digit(&digits[..13]);
    // A check digit computed here always verifies.
    Gtin::from_digits(&digits).unwrap_or_else(|_| unreachable!("generated GTIN is valid"))
}

#[derive(Debug, Clone)]
pub struct BenchData {
    pub database: PathBuf,
    pub stock_csv: PathBuf,
    pub variants: u64,
}

/// Writes `dir/catalog.sqlite3` (styles and variants, no stock) and `dir/stock.csv`.
pub fn generate(dir: &Path, variants: u64) -> Result<BenchData, DbError> {
    let io = |e: std::io::Error| DbError::Open {
        path: dir.to_path_buf(),
        detail: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let database = dir.join("catalog.sqlite3");
    for suffix in ["", "-wal", "-shm"] {
        let mut p = database.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let mut db = Database::open(&database)?;
    let tx = db.conn_mut().transaction()?;
    {
        let mut style = tx.prepare(
            "INSERT INTO styles (id, style_code, brand, name, colour, gender, price_cents, currency)
             VALUES (?1, ?2, 'Benchmark', ?3, 'Black', 'unisex', 9999, 'EUR')",
        )?;
        let mut variant = tx.prepare("INSERT INTO variants (gtin, style_id, size_mm, width) VALUES (?1, ?2, ?3, 'M')")?;
        for i in 0..variants {
            let style_id = (i / SIZES_PER_STYLE + 1) as i64;
            if i % SIZES_PER_STYLE == 0 {
                style.execute((style_id, format!("BENCH-{style_id:07}"), format!("Style {style_id}")))?;
            }
            let size_mm = 220 + 5 * (i % SIZES_PER_STYLE) as i64;
            variant.execute((gtin(i).as_i64(), style_id, size_mm))?;
        }
    }
    tx.commit()?;
    drop(db);

    let stock_csv = dir.join("stock.csv");
    let file = std::fs::File::create(&stock_csv).map_err(io)?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "gtin,quantity,updated_at").map_err(io)?;
    for i in 0..variants {
        writeln!(out, "{},{},2026-11-20T08:00:00Z", gtin(i), (i * 7) % 9).map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(BenchData {
        database,
        stock_csv,
        variants,
    })
}
