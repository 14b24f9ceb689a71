//! Building a kiosk database from the demo data in `fixtures/` on first run. The database is
//! built under a temporary name and renamed into place only when complete, so an interrupted
//! first run never leaves a half-filled cache behind.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::db::{Check, Database, DbError};
use crate::domain::barcode::Gtin;
use crate::domain::sizes::Width;
use crate::domain::stock::{self, ImportError, ImportOptions, ImportReport};
use crate::warehouse::protocol::StyleTexts;

#[derive(Debug, Clone, Error)]
pub enum SeedError {
    #[error("{file}: {message}")]
    Fixture { file: PathBuf, message: String },
    #[error("{file}: {source}")]
    Stock { file: PathBuf, source: ImportError },
    #[error(transparent)]
    Db(#[from] DbError),
}

#[derive(Debug, Deserialize)]
struct StyleRow {
    style_code: String,
    brand: String,
    name: String,
    colour: String,
    gender: String,
    price_cents: i64,
    currency: String,
    image: String,
    description: String,
    fit_note: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    colour_family: String,
    /// `;`-separated.
    #[serde(default)]
    tags: String,
}

#[derive(Debug, Deserialize)]
struct VariantRow {
    gtin: String,
    style_code: String,
    size_mm: u16,
    width: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub styles: u64,
    pub variants: u64,
    pub stock: ImportReport,
}

fn fixture_err(file: &Path, message: impl Into<String>) -> SeedError {
    SeedError::Fixture {
        file: file.to_path_buf(),
        message: message.into(),
    }
}

fn read_csv<T: for<'de> Deserialize<'de>>(file: &Path) -> Result<Vec<(u64, T)>, SeedError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(file)
        .map_err(|e| fixture_err(file, e.to_string()))?;
    let mut rows = Vec::new();
    for record in reader.deserialize::<T>() {
        match record {
            Ok(row) => rows.push((rows.len() as u64 + 2, row)),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                return Err(fixture_err(file, format!("line {line}: {e}")));
            }
        }
    }
    Ok(rows)
}

/// Loads `styles.csv`, `variants.csv` and `store_stock.csv` from `dir` into `db`.
pub fn load_fixtures(db: &mut Database, dir: &Path) -> Result<SeedReport, SeedError> {
    let (styles, variants) = import_catalog(db, dir)?;
    let stock_file = dir.join("store_stock.csv");
    load_stock(db, dir, &stock_file, styles, variants)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleTextRow {
    style_code: String,
    lang: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    colour: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    fit_note: String,
}

/// Style texts by style code, then language.
pub type StyleTranslations = BTreeMap<String, BTreeMap<String, StyleTexts>>;

/// The catalog's translations from `DIR/style_texts.csv` (`style_code,lang,name,colour,
/// description,fit_note`; a blank cell is not translated), or none when there is no such file.
pub fn read_style_texts(dir: &Path) -> Result<StyleTranslations, SeedError> {
    let file = dir.join("style_texts.csv");
    if !file.exists() {
        return Ok(BTreeMap::new());
    }
    let mut out = StyleTranslations::new();
    for (line, row) in read_csv::<StyleTextRow>(&file)? {
        let lang = row.lang.trim();
        if lang.is_empty()
            || lang.len() > 35
            || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(fixture_err(
                &file,
                format!("line {line}: lang {lang:?} is not a language tag such as \"es\""),
            ));
        }
        out.entry(row.style_code).or_default().insert(
            lang.to_owned(),
            StyleTexts {
                name: row.name,
                colour: row.colour,
                description: row.description,
                fit_note: row.fit_note,
            },
        );
    }
    Ok(out)
}

/// Adds or updates the catalog from `DIR/styles.csv` and `DIR/variants.csv` (the fixtures'
/// format; `DIR/style_texts.csv`, when there, adds translations) in one transaction: all of it, or nothing with the file and line at fault. Returns
/// the number of styles and sizes read. The catalog source of kiosks on a mapped warehouse.
pub fn import_catalog(db: &mut Database, dir: &Path) -> Result<(u64, u64), SeedError> {
    let styles_file = dir.join("styles.csv");
    let variants_file = dir.join("variants.csv");
    let styles: Vec<(u64, StyleRow)> = read_csv(&styles_file)?;
    let variants: Vec<(u64, VariantRow)> = read_csv(&variants_file)?;
    let translations = read_style_texts(dir)?;

    let tx = db.conn_mut().transaction().map_err(DbError::from)?;
    {
        let mut insert_style = tx
            .prepare(
                "INSERT INTO styles (style_code, brand, name, colour, gender, price_cents,
                                     currency, image, description, fit_note, translations,
                                     category, colour_family, tags)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                 ON CONFLICT (style_code) DO UPDATE SET brand = excluded.brand,
                     name = excluded.name, colour = excluded.colour, gender = excluded.gender,
                     price_cents = excluded.price_cents, currency = excluded.currency,
                     image = excluded.image, description = excluded.description,
                     fit_note = excluded.fit_note, translations = excluded.translations,
                     category = excluded.category, colour_family = excluded.colour_family,
                     tags = excluded.tags",
            )
            .map_err(DbError::from)?;
        for (line, s) in &styles {
            insert_style
                .execute((
                    &s.style_code,
                    &s.brand,
                    &s.name,
                    &s.colour,
                    &s.gender,
                    s.price_cents,
                    &s.currency,
                    &s.image,
                    &s.description,
                    &s.fit_note,
                    serde_json::to_string(
                        &translations.get(&s.style_code).cloned().unwrap_or_default(),
                    )
                    .unwrap_or_else(|_| "{}".into()),
                    s.category.trim().to_lowercase(),
                    s.colour_family.trim().to_lowercase(),
                    crate::domain::substitutes::split_tags(&s.tags).join(";"),
                ))
                .map_err(|e| fixture_err(&styles_file, format!("line {line}: {e}")))?;
        }
        let mut insert_variant = tx
            .prepare(
                "INSERT INTO variants (gtin, style_id, size_mm, width)
                 SELECT ?1, id, ?3, ?4 FROM styles WHERE style_code = ?2
                 ON CONFLICT (gtin) DO UPDATE SET style_id = excluded.style_id,
                     size_mm = excluded.size_mm, width = excluded.width",
            )
            .map_err(DbError::from)?;
        for (line, v) in &variants {
            let gtin: Gtin = v.gtin.parse().map_err(|e| {
                fixture_err(
                    &variants_file,
                    format!("line {line}: gtin {:?}: {e}", v.gtin),
                )
            })?;
            if Width::from_code(&v.width).is_none() {
                return Err(fixture_err(
                    &variants_file,
                    format!("line {line}: width {:?} is not one of N, M, W, XW", v.width),
                ));
            }
            let inserted = insert_variant
                .execute((gtin.as_i64(), &v.style_code, v.size_mm, &v.width))
                .map_err(|e| fixture_err(&variants_file, format!("line {line}: {e}")))?;
            if inserted == 0 {
                return Err(fixture_err(
                    &variants_file,
                    format!("line {line}: style {:?} is not in styles.csv", v.style_code),
                ));
            }
        }
    }
    tx.commit().map_err(DbError::from)?;
    Ok((styles.len() as u64, variants.len() as u64))
}

fn load_stock(
    db: &mut Database,
    dir: &Path,
    stock_file: &Path,
    styles: u64,
    variants: u64,
) -> Result<SeedReport, SeedError> {
    let stock_file = stock_file.to_path_buf();
    let file = File::open(&stock_file).map_err(|e| fixture_err(&stock_file, e.to_string()))?;
    let stock = stock::import_stock(
        db,
        file,
        "fixtures/store_stock.csv",
        // Building the database is not a manager's import: nothing to undo.
        ImportOptions {
            keep_undo: false,
            ..ImportOptions::default()
        },
        &mut (),
    )
    .map_err(|source| SeedError::Stock {
        file: stock_file.clone(),
        source,
    })?;
    // Sample shoppers, so the demo's manager charts are not empty (real kiosks start empty:
    // only demo databases are built from fixtures).
    let sample_styles = sample_styles(db)?;
    if !sample_styles.is_empty() {
        crate::domain::analytics::generate::demo_weeks(
            db,
            jiff::Zoned::now().date(),
            &sample_styles,
        )?;
    }
    // Its own feed name: the warehouse's catalog cursor starts empty, so the first sync
    // brings the demo catalog up to date with the warehouse's.
    db.record_feed(
        "fixtures",
        "demo",
        &format!("{} styles from {}", styles, dir.display()),
    )?;
    Ok(SeedReport {
        styles,
        variants,
        stock,
    })
}

/// One size of each of the first styles, for the sample shoppers.
fn sample_styles(db: &Database) -> Result<Vec<(String, crate::domain::barcode::Gtin)>, DbError> {
    let mut stmt = db.conn().prepare(
        "SELECT s.style_code, min(v.gtin) FROM styles s JOIN variants v ON v.style_id = s.id
         GROUP BY s.id ORDER BY s.id LIMIT 12",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut styles = Vec::new();
    for row in rows {
        let (code, gtin) = row?;
        if let Some(gtin) = crate::domain::barcode::Gtin::from_stored(gtin) {
            styles.push((code, gtin));
        }
    }
    Ok(styles)
}

/// Opens the database at `path`, checked as `check` says; if it does not exist and `fixtures`
/// is given, builds it from the demo data first. Returns the database and, when it was just
/// built, what went in.
pub fn open_or_seed(
    path: &Path,
    fixtures: Option<&Path>,
    check: Check,
) -> Result<(Database, Option<SeedReport>), SeedError> {
    let Some(dir) = fixtures.filter(|_| !path.exists()) else {
        return Ok((Database::open_with(path, check)?, None));
    };
    let mut building = path.as_os_str().to_owned();
    building.push(".building");
    let building = PathBuf::from(building);
    for stale in [
        building.clone(),
        wal_of(&building, "-wal"),
        wal_of(&building, "-shm"),
    ] {
        // Leftovers of an interrupted first run: never a user's data, safe to drop.
        let _ = std::fs::remove_file(stale);
    }
    let report = {
        let mut db = Database::open(&building)?;
        let report = load_fixtures(&mut db, dir)?;
        db.conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .map_err(DbError::from)?;
        report
    };
    std::fs::rename(&building, path).map_err(|e| DbError::Open {
        path: path.to_path_buf(),
        detail: format!("could not move the new database into place: {e}"),
    })?;
    tracing::info!(styles = report.styles, variants = report.variants, path = %path.display(), "built the demo database from fixtures");
    Ok((Database::open(path)?, Some(report)))
}

fn wal_of(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
