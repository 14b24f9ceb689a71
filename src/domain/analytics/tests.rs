use jiff::civil::date;

use super::generate::write_days;
use super::*;
use crate::domain::barcode::Gtin;

fn styles() -> Vec<(String, Gtin)> {
    ["ST-A", "ST-B", "ST-C", "ST-D"]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let gtin = Gtin::from_stored(4_000_000_000_000 + i as i64).unwrap();
            (s.to_string(), gtin)
        })
        .collect()
}

/// A month (November 2026) of 100 sessions a day, on a real file.
fn month() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Database::open(&dir.path().join("kiosk.sqlite3")).unwrap();
    write_days(&mut db, date(2026, 11, 1), 30, 100, &styles()).unwrap();
    (dir, db)
}

const NOVEMBER: Period = Period {
    from: date(2026, 11, 1),
    to: date(2026, 11, 30),
};

/// The closed forms from `generate`'s pattern, for 30 days of 100 sessions.
fn assert_known_month(a: &Analytics) {
    assert_eq!(a.total_scans(), 3000);
    assert!(a.scans_per_day.iter().all(|(_, n)| *n == 100));
    assert_eq!(a.scans_per_day.len(), 30);
    let mut hours = [0u64; 24];
    hours[10..14].fill(13 * 30);
    hours[14..18].fill(12 * 30);
    assert_eq!(a.scans_per_hour, hours);
    assert_eq!(
        a.funnel,
        Funnel {
            scanned: 3000,
            sized: 1500,
            converted: 750
        }
    );
    assert_eq!(
        a.outcomes,
        Outcomes {
            in_store: 600,
            dropship: 150,
            to_store: 0,
            reserved_elsewhere: 0,
            saved_by_substitute: 0,
            back_in_stock: 0,
            associate: 120,
            walked_away: 2250
        }
    );
    assert_eq!(a.read_failures, 90);
    // Missing sizes: i = 0, 10, ..., 90 → styles (i + i / 10) % 4; sizes (i / 2) % 6.
    let by_style: Vec<(&str, u64)> = a
        .lost_by_style
        .iter()
        .map(|s| (s.style_code.as_str(), s.count))
        .collect();
    assert_eq!(
        by_style,
        [("ST-A", 90), ("ST-D", 90), ("ST-B", 60), ("ST-C", 60)]
    );
    assert_eq!(
        a.lost_by_size,
        [
            (230, 60),
            (240, 30),
            (250, 30),
            (260, 60),
            (270, 60),
            (280, 60)
        ]
    );
}

#[test]
fn a_generated_month_gives_the_known_answers_from_raw_events() {
    let (_dir, db) = month();
    assert_known_month(&query(&db, NOVEMBER).unwrap());
}

#[test]
fn summarised_and_pruned_months_give_the_same_answers() {
    let (_dir, mut db) = month();
    let today = date(2026, 12, 5);
    let days = summarise(&mut db, today).unwrap();
    assert_eq!(days, 30);
    assert_known_month(&query(&db, NOVEMBER).unwrap());
    // Running it again adds nothing twice.
    assert_eq!(summarise(&mut db, today).unwrap(), 0);
    assert_known_month(&query(&db, NOVEMBER).unwrap());

    // Keep 10 days of raw events: 1-24 November go (257 events a day), their summaries stay.
    let removed = prune(&mut db, today, 10).unwrap();
    assert_eq!(removed, 24 * 257);
    let left: u64 = db
        .conn()
        .query_row("SELECT count(*) FROM shopper_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 6 * 257);
    assert_known_month(&query(&db, NOVEMBER).unwrap());
}

#[test]
fn a_period_mixes_summarised_days_and_today() {
    let (_dir, mut db) = month();
    // Summarised through 15 November; the rest is read raw.
    summarise(&mut db, date(2026, 11, 16)).unwrap();
    assert_known_month(&query(&db, NOVEMBER).unwrap());
    // Part of the month: 10 days.
    let part = query(
        &db,
        Period {
            from: date(2026, 11, 11),
            to: date(2026, 11, 20),
        },
    )
    .unwrap();
    assert_eq!(part.total_scans(), 1000);
    assert_eq!(part.funnel.converted, 250);
    assert_eq!(part.total_lost(), 100);
}

#[test]
fn pruning_never_removes_events_that_are_not_summarised() {
    let (_dir, mut db) = month();
    // "Today" is 3 November: only 1-2 November can be summarised, so only they may go.
    let removed = prune(&mut db, date(2026, 11, 3), 0).unwrap();
    let left: u64 = db
        .conn()
        .query_row("SELECT count(*) FROM shopper_events", [], |r| r.get(0))
        .unwrap();
    assert!(removed > 0);
    assert_eq!(
        query(&db, NOVEMBER).unwrap().total_scans(),
        3000,
        "{left} raw events left"
    );
}

#[test]
fn an_empty_period_is_all_zeros_not_an_error() {
    let (_dir, db) = month();
    let a = query(&db, Period::last_days(date(2027, 3, 31), 7)).unwrap();
    assert_eq!(a.scans_per_day.len(), 7);
    assert_eq!(a.total_scans(), 0);
    assert_eq!(a.funnel, Funnel::default());
    assert!(a.lost_by_style.is_empty());
}

#[test]
fn csv_has_one_row_per_bar() {
    let (_dir, db) = month();
    let a = query(&db, NOVEMBER).unwrap();
    let mut out = Vec::new();
    write_csv(&a, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "metric,key,label,count");
    assert!(lines.contains(&"scans_per_day,2026-11-01,,100"));
    assert!(lines.contains(&"funnel,converted,,750"));
    assert!(lines.contains(&"outcome,walked_away,,2250"));
    assert!(lines.contains(&"lost_by_style,ST-A,ST-A,90"));
    assert!(lines.iter().any(|l| l.starts_with("lost_by_size,230,EU ")));
    // 30 days + 24 hours + 3 funnel + 9 outcomes + 4 styles + 6 sizes, and the header.
    assert_eq!(lines.len(), 1 + 30 + 24 + 3 + 9 + 4 + 6);
}

#[test]
fn charts_are_svg_files_with_their_bars_and_png_pictures_that_are_not_blank() {
    let (dir, db) = month();
    let a = query(&db, NOVEMBER).unwrap();
    let written = charts::write_all(&a, &dir.path().join("charts")).unwrap();
    assert_eq!(written.len(), 12, "six charts, each as SVG and PNG");
    for chart in charts::bar_sets(&a) {
        let svg =
            std::fs::read_to_string(dir.path().join(format!("charts/{}.svg", chart.file))).unwrap();
        assert!(svg.starts_with("<svg"), "{}", chart.file);
        assert!(svg.contains("<rect"), "no bars in {}", chart.file);
        let png = dir.path().join(format!("charts/{}.png", chart.file));
        assert_picture(&png, chart.color);
    }
    let funnel = std::fs::read_to_string(dir.path().join("charts/funnel.svg")).unwrap();
    assert!(funnel.contains("chose a size"));
}

/// A real picture: the chart's size, its title drawn in dark text across the top, and bars in
/// the chart's colour.
fn assert_picture(path: &std::path::Path, (r, g, b): (u8, u8, u8)) {
    let picture = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    assert_eq!(picture.dimensions(), (1200, 600), "{}", path.display());
    let dark_in_title = picture
        .enumerate_pixels()
        .filter(|(_, y, p)| *y < 70 && p.0.iter().all(|c| *c < 90))
        .count();
    assert!(
        dark_in_title > 500,
        "{}: the title's text is missing ({dark_in_title} dark pixels)",
        path.display()
    );
    let bar = picture.pixels().filter(|p| p.0 == [r, g, b]).count();
    assert!(bar > 2000, "{}: no bars ({bar} pixels)", path.display());
}

#[test]
fn a_year_is_drawn_in_months_and_a_season_in_weeks_adding_up_to_every_scan() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = Database::open(&dir.path().join("kiosk.sqlite3")).unwrap();
    write_days(&mut db, date(2025, 12, 2), 365, 10, &styles()).unwrap();
    let year = Period::last_days(date(2026, 12, 1), 365);
    let a = query(&db, year).unwrap();
    let time = &charts::bar_sets(&a)[0];
    assert_eq!(time.file, "scans_per_month");
    assert_eq!(time.bars.len(), 13, "Dec 2025 to Dec 2026");
    assert_eq!(time.bars[0].0, "2025-12");
    assert_eq!(
        time.bars.iter().map(|(_, n)| n).sum::<u64>(),
        a.total_scans()
    );
    let season = query(&db, Period::last_days(date(2026, 12, 1), 90)).unwrap();
    let time = &charts::bar_sets(&season)[0];
    assert_eq!(time.file, "scans_per_week");
    assert!((13..=14).contains(&time.bars.len()), "{}", time.bars.len());
    assert_eq!(
        time.bars.iter().map(|(_, n)| n).sum::<u64>(),
        season.total_scans()
    );
}

#[test]
fn how_visits_ended_adds_up_to_the_visits_or_says_what_is_missing() {
    let (_dir, db) = month();
    let a = query(&db, NOVEMBER).unwrap();
    let outcomes = &charts::bar_sets(&a)[3];
    let sum: u64 = outcomes.bars.iter().map(|(_, n)| n).sum();
    assert_eq!(sum, a.funnel.scanned, "{:?}", outcomes.bars);
    let note = outcomes.note.unwrap().english();
    assert!(
        note.contains("3000 visits")
            && note.contains("120 times")
            && note.contains("90 failed reads"),
        "{note}"
    );
    // A visit with no recorded end (the kiosk restarted mid-visit) is a bar of its own.
    let mut short = a.clone();
    short.outcomes.walked_away -= 7;
    let outcomes = &charts::bar_sets(&short)[3];
    assert!(outcomes.bars.contains(&("no_end".to_owned(), 7)));
    assert_eq!(
        outcomes.bars.iter().map(|(_, n)| n).sum::<u64>(),
        short.funnel.scanned
    );
}

#[test]
fn the_reorder_list_is_style_by_size_most_asked_first() {
    let (_dir, db) = month();
    let a = query(&db, NOVEMBER).unwrap();
    // Missing per day: ST-A at 230/250/270, ST-B 260/280, ST-C 230/270, ST-D 240/260/280.
    let lines: Vec<(&str, u32, u64)> = a
        .reorder
        .iter()
        .map(|l| (l.style_code.as_str(), l.size_mm, l.asked))
        .collect();
    assert_eq!(
        lines,
        [
            ("ST-A", 230, 30),
            ("ST-A", 250, 30),
            ("ST-A", 270, 30),
            ("ST-B", 260, 30),
            ("ST-B", 280, 30),
            ("ST-C", 230, 30),
            ("ST-C", 270, 30),
            ("ST-D", 240, 30),
            ("ST-D", 260, 30),
            ("ST-D", 280, 30),
        ]
    );
    assert_eq!(
        a.reorder.iter().map(|l| l.asked).sum::<u64>(),
        a.total_lost()
    );
}

#[test]
fn the_reorder_csv_opens_in_a_spreadsheet() {
    let (_dir, db) = month();
    let a = query(&db, NOVEMBER).unwrap();
    let mut out = Vec::new();
    write_reorder_csv(&a, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for Excel");
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rows.headers().unwrap(),
        vec![
            "Style code",
            "Style",
            "Size",
            "Foot length (mm)",
            "Asked for, not in store",
            "In store now",
            "Period"
        ]
    );
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 10);
    assert_eq!(&rows[0][0], "ST-A");
    assert!(rows[0][2].starts_with("EU "), "{:?}", &rows[0]);
    assert_eq!(&rows[0][3], "230");
    assert_eq!(&rows[0][4], "30");
    assert_eq!(&rows[0][6], "2026-11-01 to 2026-11-30");
}

#[test]
fn the_reorder_list_is_saved_whole_or_not_at_all() {
    let (dir, db) = month();
    let a = query(&db, NOVEMBER).unwrap();
    let stick = dir.path().join("STICK");
    std::fs::create_dir(&stick).unwrap();
    let path = export_reorder(&a, &stick, "store/../1").unwrap();
    assert_eq!(
        path.file_name().unwrap(),
        "reorder-store____1-2026-11-01-2026-11-30.csv"
    );
    assert_eq!(
        std::fs::read_dir(&stick).unwrap().count(),
        1,
        "no partial left"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 11);
    // A folder that is gone (stick pulled out) is named in the error, and nothing is left.
    let gone = dir.path().join("gone");
    let e = export_reorder(&a, &gone, "store-1")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cannot save the reorder list in") && e.contains("gone"),
        "{e}"
    );
}
