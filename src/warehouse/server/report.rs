//! The chain's view of what shoppers could not find (`kiosk warehouse report`): every kiosk's
//! finished days, as they uploaded them, summed by style × size × store, and for each missing
//! size where it was asked for most — the buyer's answer to "which sizes should we stock
//! where". CSV files and SVG charts, like the store's own `kiosk report`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::domain::analytics::charts::{self, Bars};
use crate::domain::analytics::size_label;

/// Sizes asked for at one store that it did not have, in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostSale {
    pub style_code: String,
    /// The catalog's name ("" for a style the catalog no longer knows).
    pub name: String,
    pub size_mm: u32,
    pub store_id: String,
    pub asked: u64,
}

/// One store's kiosks over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreTotals {
    pub store_id: String,
    pub kiosks: u64,
    /// Kiosk-days uploaded.
    pub kiosk_days: u64,
    pub scans: u64,
    /// Visits that found a product / chose a size / ordered or asked for it.
    pub visits: u64,
    pub sized: u64,
    pub converted: u64,
    pub lost: u64,
}

/// A missing size across the chain: how often, in how many stores, and where most.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhereAsked {
    pub style_code: String,
    pub name: String,
    pub size_mm: u32,
    pub asked: u64,
    pub stores: usize,
    pub top_store: String,
    pub top_store_asked: u64,
    /// The top store's part of all asks, 0-1.
    pub top_store_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainReport {
    pub from: String,
    pub to: String,
    /// Most asked first.
    pub lost: Vec<LostSale>,
    /// By store id.
    pub stores: Vec<StoreTotals>,
}

#[derive(Debug, Error)]
pub enum ReportError {
    #[error("{path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Csv { path: String, source: csv::Error },
    #[error(transparent)]
    Chart(#[from] charts::ChartError),
}

impl ChainReport {
    pub fn total_lost(&self) -> u64 {
        self.lost.iter().map(|l| l.asked).sum()
    }

    /// Per style × size, most asked first: the stores it was asked in and the one asked most.
    pub fn where_asked(&self) -> Vec<WhereAsked> {
        let mut by_size: BTreeMap<(&str, u32), Vec<&LostSale>> = BTreeMap::new();
        for l in &self.lost {
            by_size
                .entry((l.style_code.as_str(), l.size_mm))
                .or_default()
                .push(l);
        }
        let mut rows: Vec<WhereAsked> = by_size
            .into_values()
            .filter_map(|stores| {
                let asked: u64 = stores.iter().map(|l| l.asked).sum();
                let top = stores
                    .iter()
                    .max_by(|a, b| a.asked.cmp(&b.asked).then(b.store_id.cmp(&a.store_id)))?;
                Some(WhereAsked {
                    style_code: top.style_code.clone(),
                    name: top.name.clone(),
                    size_mm: top.size_mm,
                    asked,
                    stores: stores.len(),
                    top_store: top.store_id.clone(),
                    top_store_asked: top.asked,
                    top_store_share: if asked == 0 {
                        0.0
                    } else {
                        top.asked as f64 / asked as f64
                    },
                })
            })
            .collect();
        rows.sort_by(|a, b| {
            b.asked
                .cmp(&a.asked)
                .then_with(|| a.style_code.cmp(&b.style_code))
                .then(a.size_mm.cmp(&b.size_mm))
        });
        rows
    }

    /// The charts: lost sales by size and by style across the chain, and by store.
    pub fn charts(&self) -> Vec<Bars> {
        let mut by_size: BTreeMap<u32, u64> = BTreeMap::new();
        let mut by_style: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_store: BTreeMap<&str, u64> = BTreeMap::new();
        for l in &self.lost {
            *by_size.entry(l.size_mm).or_default() += l.asked;
            let label = if l.name.is_empty() {
                l.style_code.clone()
            } else {
                format!("{} ({})", l.name, l.style_code)
            };
            *by_style.entry(label).or_default() += l.asked;
            *by_store.entry(&l.store_id).or_default() += l.asked;
        }
        let mut styles: Vec<(String, u64)> = by_style.into_iter().collect();
        styles.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        styles.truncate(15);
        let mut stores: Vec<(String, u64)> = by_store
            .into_iter()
            .map(|(s, n)| (s.to_owned(), n))
            .collect();
        stores.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        stores.truncate(25);
        let period = format!("{} – {}", self.from, self.to);
        vec![
            Bars {
                file: "chain_lost_by_size",
                title: format!("Sizes asked for that the store did not have, chain-wide, {period}"),
                bars: by_size
                    .into_iter()
                    .map(|(mm, n)| (size_label(mm), n))
                    .collect(),
                color: (0xb4, 0x3c, 0x2e),
                horizontal: false,
                note: None,
            },
            Bars {
                file: "chain_lost_by_style",
                title: format!("Styles most asked for in a missing size, {period}"),
                bars: styles,
                color: (0x8a, 0x3f, 0x8f),
                horizontal: true,
                note: None,
            },
            Bars {
                file: "chain_lost_by_store",
                title: format!("Missing sizes asked for, by store, {period}"),
                bars: stores,
                color: (0x1f, 0x5f, 0x8b),
                horizontal: true,
                note: None,
            },
        ]
    }

    /// `lost_sales.csv` (style × size × store), `where_asked.csv` (per missing size, where
    /// most), `stores.csv` (each store's kiosks, visits and lost sales) and the charts as SVG,
    /// in `dir`. Returns the files written.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
        std::fs::create_dir_all(dir).map_err(|source| ReportError::Write {
            path: dir.display().to_string(),
            source,
        })?;
        let mut written = Vec::new();
        let csv_file = |name: &str| -> Result<(PathBuf, csv::Writer<std::fs::File>), ReportError> {
            let path = dir.join(name);
            let writer = csv::Writer::from_path(&path).map_err(|source| ReportError::Csv {
                path: path.display().to_string(),
                source,
            })?;
            Ok((path, writer))
        };
        let csv_error = |path: &Path| {
            let path = path.display().to_string();
            move |source: csv::Error| ReportError::Csv { path, source }
        };

        let (path, mut out) = csv_file("lost_sales.csv")?;
        out.write_record(["style_code", "name", "size_mm", "size", "store_id", "asked"])
            .map_err(csv_error(&path))?;
        for l in &self.lost {
            out.write_record([
                l.style_code.clone(),
                l.name.clone(),
                l.size_mm.to_string(),
                size_label(l.size_mm),
                l.store_id.clone(),
                l.asked.to_string(),
            ])
            .map_err(csv_error(&path))?;
        }
        written.push(finish(out, path)?);

        let (path, mut out) = csv_file("where_asked.csv")?;
        out.write_record([
            "style_code",
            "name",
            "size_mm",
            "size",
            "asked",
            "stores",
            "top_store",
            "top_store_asked",
            "top_store_share",
        ])
        .map_err(csv_error(&path))?;
        for w in self.where_asked() {
            out.write_record([
                w.style_code,
                w.name,
                w.size_mm.to_string(),
                size_label(w.size_mm),
                w.asked.to_string(),
                w.stores.to_string(),
                w.top_store,
                w.top_store_asked.to_string(),
                format!("{:.2}", w.top_store_share),
            ])
            .map_err(csv_error(&path))?;
        }
        written.push(finish(out, path)?);

        let (path, mut out) = csv_file("stores.csv")?;
        for s in &self.stores {
            out.serialize(s).map_err(csv_error(&path))?;
        }
        if self.stores.is_empty() {
            out.write_record([
                "store_id",
                "kiosks",
                "kiosk_days",
                "scans",
                "visits",
                "sized",
                "converted",
                "lost",
            ])
            .map_err(csv_error(&path))?;
        }
        written.push(finish(out, path)?);

        for chart in self.charts() {
            let svg = charts::svg(&chart)?;
            let path = dir.join(format!("{}.svg", chart.file));
            std::fs::write(&path, svg).map_err(|source| ReportError::Write {
                path: path.display().to_string(),
                source,
            })?;
            written.push(path);
        }
        Ok(written)
    }
}

/// Flushes a CSV file written to `path`.
fn finish(mut out: csv::Writer<std::fs::File>, path: PathBuf) -> Result<PathBuf, ReportError> {
    out.flush().map_err(|source| ReportError::Write {
        path: path.display().to_string(),
        source,
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost(style: &str, size: u32, store: &str, asked: u64) -> LostSale {
        LostSale {
            style_code: style.into(),
            name: format!("Name of {style}"),
            size_mm: size,
            store_id: store.into(),
            asked,
        }
    }

    #[test]
    fn each_missing_size_names_the_store_that_asked_most() {
        let report = ChainReport {
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
            lost: vec![
                lost("A", 265, "s1", 6),
                lost("A", 265, "s2", 2),
                lost("B", 240, "s2", 9),
                lost("A", 270, "s3", 1),
            ],
            stores: Vec::new(),
        };
        let rows = report.where_asked();
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[0].style_code.as_str(), rows[0].size_mm), ("B", 240));
        let a = &rows[1];
        assert_eq!((a.asked, a.stores, a.top_store.as_str()), (8, 2, "s1"));
        assert!((a.top_store_share - 0.75).abs() < 1e-9);
        assert_eq!(report.total_lost(), 18);
    }

    #[test]
    fn the_report_is_written_as_csv_and_svg() {
        let dir = tempfile::tempdir().unwrap();
        let report = ChainReport {
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
            lost: vec![lost("A", 265, "s1", 6), lost("A, \"quoted\"", 240, "s2", 1)],
            stores: vec![StoreTotals {
                store_id: "s1".into(),
                kiosks: 2,
                ..StoreTotals::default()
            }],
        };
        let files = report.write(dir.path()).unwrap();
        assert_eq!(files.len(), 6);
        let mut reader = csv::Reader::from_path(dir.path().join("lost_sales.csv")).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(&rows[1][0], "A, \"quoted\"", "quoted, not split");
        let svg = std::fs::read_to_string(dir.path().join("chain_lost_by_store.svg")).unwrap();
        assert!(svg.contains("<svg") && svg.contains("s1"));
    }
}
