//! Shoe sizes. A variant's size is stored canonically as foot length in millimetres (as ISO
//! 19407 keys its conversion tables) plus a width; the labels a shopper reads in each system
//! come from `assets/size_chart.csv`, which is data, not code.

use std::sync::OnceLock;

use serde::Serialize;
use thiserror::Error;

/// The chart shipped in `assets/`, compiled in so the kiosk never runs without one.
pub const EMBEDDED_CHART: &str = include_str!("../../assets/size_chart.csv");

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SizeLabels {
    pub us_men: String,
    pub us_women: String,
    pub uk: String,
    pub eu: String,
    pub cm: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Width {
    Narrow,
    Standard,
    Wide,
    ExtraWide,
}

impl Width {
    /// Parses the width code used in catalog data: `N`, `M`, `W`, `XW`.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "N" => Some(Self::Narrow),
            "M" | "" => Some(Self::Standard),
            "W" => Some(Self::Wide),
            "XW" => Some(Self::ExtraWide),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Narrow => "N",
            Self::Standard => "M",
            Self::Wide => "W",
            Self::ExtraWide => "XW",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SizeChartError {
    #[error("size chart line {line}: {message}")]
    Row { line: u64, message: String },
    #[error("size chart: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, serde::Deserialize)]
struct Row {
    mm: u16,
    us_men: String,
    us_women: String,
    uk: String,
    eu: String,
    cm: String,
}

#[derive(Debug, Clone)]
pub struct SizeChart {
    /// Sorted by foot length.
    rows: Vec<(u16, SizeLabels)>,
}

/// Sizes further than this from every chart row get only a centimetre label.
const MAX_DISTANCE_MM: u16 = 3;

impl SizeChart {
    /// The chart in `assets/size_chart.csv`, parsed once.
    pub fn embedded() -> &'static SizeChart {
        static CHART: OnceLock<SizeChart> = OnceLock::new();
        CHART.get_or_init(|| {
            #[allow(clippy::expect_used)]
            // the shipped chart is tested; a broken one is a build bug
            SizeChart::parse_csv(EMBEDDED_CHART).expect("assets/size_chart.csv is valid")
        })
    }

    /// Parses a chart: `#` lines are comments; columns `mm,us_men,us_women,uk,eu,cm`.
    pub fn parse_csv(text: &str) -> Result<Self, SizeChartError> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for record in reader.deserialize::<Row>() {
            let row = record.map_err(|e| SizeChartError::Row {
                line: e.position().map_or(0, |p| p.line()),
                message: e.to_string(),
            })?;
            rows.push((
                row.mm,
                SizeLabels {
                    us_men: row.us_men,
                    us_women: row.us_women,
                    uk: row.uk,
                    eu: row.eu,
                    cm: row.cm,
                },
            ));
        }
        if rows.is_empty() {
            return Err(SizeChartError::Invalid("no rows".into()));
        }
        if rows.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(SizeChartError::Invalid(
                "rows must be sorted by mm with no duplicates".into(),
            ));
        }
        Ok(Self { rows })
    }

    /// The labels for a foot length: the nearest chart row within 3 mm, else only centimetres.
    pub fn labels(&self, mm: u16) -> SizeLabels {
        let nearest = self
            .rows
            .iter()
            .min_by_key(|(row_mm, _)| row_mm.abs_diff(mm))
            .filter(|(row_mm, _)| row_mm.abs_diff(mm) <= MAX_DISTANCE_MM);
        match nearest {
            Some((_, labels)) => labels.clone(),
            None => SizeLabels {
                us_men: String::new(),
                us_women: String::new(),
                uk: String::new(),
                eu: String::new(),
                cm: format_cm(mm),
            },
        }
    }
}

fn format_cm(mm: u16) -> String {
    if mm.is_multiple_of(10) {
        format!("{}", mm / 10)
    } else {
        format!("{}.{}", mm / 10, mm % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_chart_converts_known_sizes() {
        let chart = SizeChart::embedded();
        let cases = [
            (270, "9", "10.5", "8", "42.5", "27"),
            (265, "8.5", "10", "7.5", "42", "26.5"),
            (240, "6", "7.5", "5.5", "38.5", "24"),
        ];
        for (mm, us_men, us_women, uk, eu, cm) in cases {
            let l = chart.labels(mm);
            assert_eq!(
                (
                    l.us_men.as_str(),
                    l.us_women.as_str(),
                    l.uk.as_str(),
                    l.eu.as_str(),
                    l.cm.as_str()
                ),
                (us_men, us_women, uk, eu, cm),
                "{mm} mm"
            );
        }
    }

    #[test]
    fn near_sizes_snap_and_far_sizes_show_cm_only() {
        let chart = SizeChart::embedded();
        assert_eq!(chart.labels(272).eu, "42.5");
        let far = chart.labels(400);
        assert_eq!((far.eu.as_str(), far.cm.as_str()), ("", "40"));
    }

    #[test]
    fn bad_charts_are_rejected_with_the_line() {
        let bad = "mm,us_men,us_women,uk,eu,cm\n250,7,8.5,6,40,25\nabc,1,1,1,1,1\n";
        match SizeChart::parse_csv(bad) {
            Err(SizeChartError::Row { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        let unsorted = "mm,us_men,us_women,uk,eu,cm\n255,1,1,1,1,1\n250,1,1,1,1,1\n";
        assert!(SizeChart::parse_csv(unsorted).is_err());
    }

    #[test]
    fn widths_round_trip() {
        for w in [
            Width::Narrow,
            Width::Standard,
            Width::Wide,
            Width::ExtraWide,
        ] {
            assert_eq!(Width::from_code(w.code()), Some(w));
        }
        assert_eq!(Width::from_code("Q"), None);
    }
}
