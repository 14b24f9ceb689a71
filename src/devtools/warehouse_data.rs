//! Generated data for the reference warehouse (benchmarks, `kiosk warehouse seed --generate`):
//! kept out of the warehouse's own code.

use rusqlite::params;

use crate::warehouse::server::store::{StoreError, WarehouseStore};

/// A generated catalog of `variants` sizes with stock for `store_id`.
pub fn seed_generated(
    store: &WarehouseStore,
    variants: u64,
    store_id: &str,
) -> Result<(), StoreError> {
    store.write(|tx| {

        let mut style = tx.prepare(
            "INSERT INTO styles (style_code, brand, name, colour, gender, price_cents,
                 currency, image, description, fit_note, seq)
             VALUES (?1, 'Benchmark', ?2, 'Black', 'unisex', 9999, 'EUR', '', '', '', ?3)",
        )?;
        let mut variant = tx.prepare("INSERT INTO variants (gtin, style_code, size_mm, width, seq) VALUES (?1, ?2, ?3, 'M', ?4)")?;
        let mut dc = tx.prepare("INSERT INTO dc_stock VALUES (?1, ?2)")?;
        let mut stock = tx.prepare(
            "INSERT INTO store_stock VALUES (?1, ?2, ?3, '2026-11-20T08:00:00Z', ?4)",
        )?;
        let per_style = super::bench_data::SIZES_PER_STYLE;
        let mut seq = 0i64;
        for i in 0..variants {
            let code = format!("BENCH-{:07}", i / per_style + 1);
            if i % per_style == 0 {
                seq += 1;
                style.execute(params![&code, format!("Style {}", i / per_style + 1), seq])?;
            }
            let gtin = super::bench_data::gtin(i).as_i64();
            seq += 1;
            variant.execute(params![gtin, &code, 220 + 5 * (i % per_style) as i64, seq])?;
            dc.execute(params![gtin, (i * 13) % 50])?;
            seq += 1;
            stock.execute(params![store_id, gtin, (i * 7) % 9, seq])?;
        }
        tx.execute("UPDATE change_seq SET value = ?1 WHERE id = 1", [seq])?;
        Ok(())
    })
}
