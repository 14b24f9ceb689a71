use std::path::Path;

use super::*;
use crate::domain::seed;

fn demo_db(dir: &Path) -> Database {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let (db, report) = seed::open_or_seed(
        &dir.join("k.sqlite3"),
        Some(&fixtures),
        crate::db::Check::Full,
    )
    .unwrap();
    assert!(report.is_some());
    db
}

fn stock_of(db: &Database, gtin: &str) -> Option<(u32, String)> {
    let gtin: Gtin = gtin.parse().unwrap();
    db.conn()
        .query_row(
            "SELECT quantity, updated_at FROM store_stock WHERE gtin = ?1",
            [gtin.as_i64()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()
}

fn count(db: &Database) -> u64 {
    db.conn()
        .query_row("SELECT count(*) FROM store_stock", [], |r| r.get(0))
        .unwrap()
}

fn import(
    db: &mut Database,
    csv: &str,
    options: ImportOptions,
) -> Result<ImportReport, ImportError> {
    import_stock(db, csv.as_bytes(), "test.csv", options, &mut ())
}

// Two GTINs from the demo catalog, and one valid GTIN that is not in it.
const A: &str = "04012345001013";
const B: &str = "04012345001020";
const UNKNOWN: &str = "4006381333931";

#[test]
fn replace_import_counts_and_lists_unknown_gtins() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    let before = count(&db);
    let csv = format!(
        "GTIN,Quantity,updated_at,store_note\n{A},7,2026-11-21,back room\n{B},0,2026-11-21T10:15:00Z,\n{UNKNOWN},3,,\n"
    );
    // Forced: the file really is the whole (tiny) stock.
    let forced = ImportOptions {
        force: true,
        ..ImportOptions::default()
    };
    let report = import(&mut db, &csv, forced).unwrap();
    assert_eq!((report.rows, report.imported, report.unknown), (3, 2, 1));
    assert_eq!(report.unknown_sample, vec![(4, format!("0{UNKNOWN}"))]);
    assert_eq!(
        report.removed,
        before - 2,
        "every other size left the store's stock"
    );
    assert_eq!(count(&db), 2);
    assert_eq!(stock_of(&db, A), Some((7, "2026-11-21T00:00:00Z".into())));
    assert_eq!(stock_of(&db, B), Some((0, "2026-11-21T10:15:00Z".into())));
    assert_eq!(db.feed("pos_import").unwrap().unwrap().cursor, "test.csv");
}

#[test]
fn merge_import_leaves_other_sizes_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    let before = count(&db);
    let options = ImportOptions {
        mode: ImportMode::Merge,
        ..ImportOptions::default()
    };
    let report = import(&mut db, &format!("gtin,quantity\n{A},42\n"), options).unwrap();
    assert_eq!((report.imported, report.removed), (1, 0));
    assert_eq!(count(&db), before);
    assert_eq!(stock_of(&db, A).unwrap().0, 42);
}

#[test]
fn every_bad_row_is_listed_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    let before_count = count(&db);
    let before_a = stock_of(&db, A);
    let csv = format!(
        "gtin,quantity,updated_at\n\
         {A},5,\n\
         4012345001014,5,\n\
         {B},-3,\n\
         {B},lots,\n\
         ABC,1,\n\
         {B},2,yesterday\n\
         {A},1,\n\
         {B},999999999,\n\
         {B}\n"
    );
    let Err(ImportError::BadRows(errors)) = import(&mut db, &csv, ImportOptions::default()) else {
        panic!("expected bad rows");
    };
    let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 7, 8, 9, 10], "{errors:#?}");
    let expect = [
        "check digit",
        "whole number",
        "whole number",
        "unexpected character 'A'",
        "not a date or time",
        "already given on line 2",
        "whole number",
        "missing quantity",
    ];
    for (error, want) in errors.iter().zip(expect) {
        assert!(
            error.message.contains(want),
            "line {}: {}",
            error.line,
            error.message
        );
    }
    assert_eq!(count(&db), before_count, "previous stock intact");
    assert_eq!(stock_of(&db, A), before_a);
    assert_eq!(
        db.feed("pos_import").unwrap().unwrap().cursor,
        "fixtures/store_stock.csv"
    );
}

#[test]
fn header_problems_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    for (csv, want) in [
        ("ean,qty\n1,2\n", "missing column(s) gtin, quantity"),
        ("gtin,stock\n", "missing column(s) quantity"),
        ("", "empty"),
    ] {
        let err = import(&mut db, csv, ImportOptions::default()).unwrap_err();
        assert!(err.to_string().contains(want), "{csv:?}: {err}");
    }
}

#[test]
fn dry_run_checks_everything_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    let before = count(&db);
    let options = ImportOptions {
        mode: ImportMode::Replace,
        dry_run: true,
        ..ImportOptions::default()
    };
    let report = import(
        &mut db,
        &format!("gtin,quantity\n{A},1\n{UNKNOWN},1\n"),
        options,
    )
    .unwrap();
    assert!(report.dry_run);
    assert_eq!((report.imported, report.unknown), (1, 1));
    assert_eq!(count(&db), before);
}

#[test]
fn byte_order_mark_crlf_and_blank_lines_are_tolerated() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    let csv = format!("\u{feff}gtin,quantity\r\n{A},9\r\n\r\n{B},1\r\n");
    let merge = ImportOptions {
        mode: ImportMode::Merge,
        ..ImportOptions::default()
    };
    let report = import(&mut db, &csv, merge).unwrap();
    assert_eq!(report.imported, 2);
}

#[test]
fn seeding_builds_the_demo_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.sqlite3");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let (db, report) = seed::open_or_seed(&path, Some(&fixtures), crate::db::Check::Full).unwrap();
    let report = report.unwrap();
    assert!(report.styles >= 40 && report.variants >= 600, "{report:?}");
    assert_eq!(report.stock.unknown, 0);
    drop(db);
    assert!(!dir.path().join("k.sqlite3.building").exists());
    let (_, again) = seed::open_or_seed(&path, Some(&fixtures), crate::db::Check::Full).unwrap();
    assert!(again.is_none(), "an existing database is never re-seeded");
}

#[test]
fn a_replace_import_that_would_remove_too_much_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    let before = count(&db);
    let a_before = stock_of(&db, A);
    for csv in [
        "gtin,quantity\n".to_owned(),
        format!("gtin,quantity\n{UNKNOWN},3\n"),
        format!("gtin,quantity\n{A},9\n"),
    ] {
        let error = import(&mut db, &csv, ImportOptions::default()).unwrap_err();
        let ImportError::TooManyRemoved {
            removed, stocked, ..
        } = error
        else {
            panic!("refused: {error}");
        };
        assert_eq!(stocked, before);
        assert!(removed >= before - 1, "{removed}");
        assert!(error.to_string().contains("--force"), "{error}");
        assert_eq!(count(&db), before, "nothing changed");
        assert_eq!(stock_of(&db, A), a_before);
    }
    // The share is the store's to set; 100 % never refuses.
    let lenient = ImportOptions {
        max_removed_percent: 100,
        ..ImportOptions::default()
    };
    import(&mut db, "gtin,quantity\n", lenient).unwrap();
    assert_eq!(count(&db), 0);
    // An empty stock list can be filled by any file.
    import(
        &mut db,
        &format!("gtin,quantity\n{A},1\n"),
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(count(&db), 1);
}

fn all_stock(db: &Database) -> Vec<(i64, i64, String)> {
    let mut stmt = db
        .conn()
        .prepare("SELECT gtin, quantity, updated_at FROM store_stock ORDER BY gtin")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_last_import_is_undone_exactly_and_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    assert_eq!(
        undoable_import(db.conn()).unwrap(),
        None,
        "nothing imported yet"
    );
    assert!(matches!(
        undo_last_import(&mut db),
        Err(ImportError::NothingToUndo)
    ));
    let before = all_stock(&db);
    // A whole-stock replace that wipes most sizes (forced), then a merge on top of it.
    let forced = ImportOptions {
        force: true,
        ..ImportOptions::default()
    };
    import(&mut db, &format!("gtin,quantity\n{A},9\n"), forced).unwrap();
    assert_eq!(count(&db), 1);
    let undoable = undoable_import(db.conn()).unwrap().unwrap();
    assert_eq!(undoable.source, "test.csv");
    assert_eq!(undoable.mode, ImportMode::Replace);
    assert_eq!(undoable.sizes_before, before.len() as u64);
    let undone = undo_last_import(&mut db).unwrap();
    assert_eq!(undone, undoable);
    assert_eq!(all_stock(&db), before, "every size, count and date back");
    assert!(matches!(
        undo_last_import(&mut db),
        Err(ImportError::NothingToUndo)
    ));
    // Only the last import is kept: undoing after two goes back to between them.
    let merge = ImportOptions {
        mode: ImportMode::Merge,
        ..ImportOptions::default()
    };
    import(&mut db, &format!("gtin,quantity\n{A},1\n"), merge).unwrap();
    let between = all_stock(&db);
    import(&mut db, &format!("gtin,quantity\n{B},5\n"), merge).unwrap();
    undo_last_import(&mut db).unwrap();
    assert_eq!(all_stock(&db), between);
}

#[test]
fn refused_dry_and_bad_imports_leave_the_undo_of_the_last_real_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    let merge = ImportOptions {
        mode: ImportMode::Merge,
        ..ImportOptions::default()
    };
    import(&mut db, &format!("gtin,quantity\n{A},1\n"), merge).unwrap();
    let kept = undoable_import(db.conn()).unwrap();
    assert!(import(&mut db, &format!("gtin,quantity\n{A},x\n"), merge).is_err());
    assert!(
        import(
            &mut db,
            &format!("gtin,quantity\n{A},2\n"),
            ImportOptions::default()
        )
        .is_err()
    );
    let dry = ImportOptions {
        dry_run: true,
        ..merge
    };
    import(&mut db, &format!("gtin,quantity\n{A},3\n"), dry).unwrap();
    assert_eq!(undoable_import(db.conn()).unwrap(), kept);
}

fn undo_log_rows(db: &Database) -> u64 {
    db.conn()
        .query_row("SELECT count(*) FROM stock_undo", [], |r| r.get(0))
        .unwrap()
}

fn export_of(stock: &[(i64, i64, String)]) -> String {
    let mut csv = String::from("gtin,quantity,updated_at\n");
    for (gtin, quantity, at) in stock {
        csv.push_str(&format!("{gtin:014},{quantity},{at}\n"));
    }
    csv
}

#[test]
fn the_same_export_again_writes_nothing_and_a_changed_size_is_all_the_undo_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    let before = all_stock(&db);
    let export = export_of(&before);
    let again = import(&mut db, &export, ImportOptions::default()).unwrap();
    assert_eq!(
        (again.imported, again.changed, again.removed),
        (before.len() as u64, 0, 0)
    );
    assert_eq!(undo_log_rows(&db), 0);
    assert_eq!(all_stock(&db), before);
    let cache: i64 = db
        .conn()
        .pragma_query_value(None, "cache_size", |r| r.get(0))
        .unwrap();
    assert_eq!(cache, -2048, "the import's large page cache is given back");

    // The next day: one count changed, one size sold out of the list, one new size.
    let mut next_day = before.clone();
    next_day[0].1 += 3;
    let dropped = next_day.remove(1);
    let new: i64 = db
        .conn()
        .query_row(
            "SELECT gtin FROM variants WHERE gtin NOT IN (SELECT gtin FROM store_stock) LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    next_day.push((new, 2, "2026-11-22T00:00:00Z".into()));
    next_day.sort();
    let report = import(&mut db, &export_of(&next_day), ImportOptions::default()).unwrap();
    assert_eq!((report.changed, report.removed), (2, 1));
    assert_eq!(
        undo_log_rows(&db),
        3,
        "the changed, the removed and the new size"
    );
    assert_eq!(all_stock(&db), next_day);
    assert!(stock_of(&db, &dropped.0.to_string()).is_none());
    undo_last_import(&mut db).unwrap();
    assert_eq!(all_stock(&db), before, "every size, count and date back");
}

#[test]
fn an_unsorted_file_is_reported_in_its_own_line_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut db = demo_db(dir.path());
    // Unknown GTINs given from high to low, a duplicate after them.
    let csv = format!(
        "gtin,quantity\n40063813339399,1\n{B},1\n{UNKNOWN},1\n{A},1\n{B},2\n40063813339382,1\n"
    );
    let merge = ImportOptions {
        mode: ImportMode::Merge,
        ..ImportOptions::default()
    };
    match import(&mut db, &csv, merge) {
        Err(ImportError::BadRows(errors)) => {
            let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
            assert_eq!(lines, [2, 6, 7], "{errors:?}");
            assert!(
                errors[1].message.contains("already given on line 3"),
                "{errors:?}"
            );
        }
        other => panic!("expected bad rows, got {other:?}"),
    }
    let csv = format!("gtin,quantity\n40063813339399,1\n{B},1\n{UNKNOWN},1\n40063813339382,1\n");
    match import(&mut db, &csv, merge) {
        Err(ImportError::BadRows(errors)) => assert_eq!(errors.len(), 2, "{errors:?}"),
        other => panic!("expected bad check digits, got {other:?}"),
    }
    let csv = format!("gtin,quantity\n{UNKNOWN},1\n{B},1\n00000000000017,1\n");
    let report = import(&mut db, &csv, merge).unwrap();
    assert_eq!(report.unknown, 2);
    let lines: Vec<u64> = report.unknown_sample.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [2, 4], "the first unknown in the file first");
}

#[test]
fn a_pending_undo_from_schema_v7_still_undoes_after_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v7.sqlite3");
    crate::db::Database::create_at_version(&path, 7).unwrap();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO styles (id, style_code, brand, name, colour, gender, price_cents, currency)
                 VALUES (1, 'S', 'B', 'Shoe', 'black', 'unisex', 100, 'EUR');
             INSERT INTO variants (gtin, style_id, size_mm) VALUES (1, 1, 250), (2, 1, 260), (3, 1, 270);
             -- Before the import: 1 and 3 in stock. The import changed 1, removed 3, added 2.
             INSERT INTO store_stock VALUES (1, 9, 'new'), (2, 4, 'new');
             INSERT INTO stock_undo VALUES (1, 5, 'old'), (3, 7, 'old');
             INSERT INTO stock_undo_import VALUES (1, 'pos.csv', 'replace', 'then', 2);",
        )
        .unwrap();
    }
    let mut db = Database::open(&path).unwrap();
    assert_eq!(
        undoable_import(db.conn()).unwrap().map(|u| u.sizes_before),
        Some(2)
    );
    undo_last_import(&mut db).unwrap();
    assert_eq!(
        all_stock(&db),
        [(1, 5, "old".to_string()), (3, 7, "old".to_string())]
    );
}

mod model {
    //! Any import, then undo: the stock is what the file says, then exactly what it was.
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    type Stock = BTreeMap<i64, (i64, String)>;

    fn stock_map(db: &Database) -> Stock {
        all_stock(db)
            .into_iter()
            .map(|(g, q, at)| (g, (q, at)))
            .collect()
    }

    fn template() -> &'static (tempfile::TempDir, Vec<i64>) {
        static TEMPLATE: std::sync::OnceLock<(tempfile::TempDir, Vec<i64>)> =
            std::sync::OnceLock::new();
        TEMPLATE.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let db = demo_db(dir.path());
            let mut stmt = db
                .conn()
                .prepare("SELECT gtin FROM variants ORDER BY gtin LIMIT 40")
                .unwrap();
            let gtins = stmt
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            drop(stmt);
            // Checkpoint the WAL so copying the main file copies the whole database.
            db.conn()
                .pragma_update(None, "wal_checkpoint", "TRUNCATE")
                .unwrap();
            (dir, gtins)
        })
    }

    #[derive(Debug, Clone)]
    struct Line {
        variant: usize,
        unknown: bool,
        quantity: u32,
        day: u8,
    }

    fn lines() -> impl Strategy<Value = Vec<Line>> {
        prop::collection::vec(
            (0usize..40, prop::bool::weighted(0.1), 0u32..4, 20u8..23).prop_map(
                |(variant, unknown, quantity, day)| Line {
                    variant,
                    unknown,
                    quantity,
                    day,
                },
            ),
            0..30,
        )
    }

    fn csv_of(lines: &[Line], gtins: &[i64]) -> (String, Stock) {
        let mut csv = String::from("gtin,quantity,updated_at\n");
        let mut listed = Stock::new();
        let mut seen = std::collections::HashSet::new();
        for line in lines {
            let gtin = if line.unknown {
                // Valid check digit, not in the catalog.
                let body = format!("99{:011}", line.variant);
                let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
                let check = crate::domain::barcode::gs1_check_digit(&digits);
                format!("{body}{check}").parse::<Gtin>().unwrap().as_i64()
            } else {
                gtins[line.variant]
            };
            if !seen.insert(gtin) {
                continue;
            }
            let at = format!("2026-11-{}T08:00:00Z", line.day);
            csv.push_str(&format!("{gtin:014},{},{at}\n", line.quantity));
            if !line.unknown {
                listed.insert(gtin, (i64::from(line.quantity), at));
            }
        }
        (csv, listed)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn any_import_writes_what_the_file_says_and_undo_brings_back_what_was(
            first in lines(),
            second in lines(),
            first_merge: bool,
            second_merge: bool,
        ) {
            let (template_dir, gtins) = template();
            let dir = tempfile::tempdir().unwrap();
            std::fs::copy(template_dir.path().join("k.sqlite3"), dir.path().join("k.sqlite3"))
                .unwrap();
            let mut db = Database::open(&dir.path().join("k.sqlite3")).unwrap();
            for (lines, merge) in [(&first, first_merge), (&second, second_merge)] {
                let before = stock_map(&db);
                let (csv, listed) = csv_of(lines, gtins);
                let options = ImportOptions {
                    mode: if merge { ImportMode::Merge } else { ImportMode::Replace },
                    force: true,
                    ..ImportOptions::default()
                };
                let report = import(&mut db, &csv, options).unwrap();
                let mut expected = if merge { before.clone() } else { Stock::new() };
                expected.extend(listed.clone());
                prop_assert_eq!(&stock_map(&db), &expected);
                prop_assert_eq!(report.imported, listed.len() as u64);
                let changed = listed.iter().filter(|(g, v)| before.get(g) != Some(v)).count();
                prop_assert_eq!(report.changed, changed as u64);
                undo_last_import(&mut db).unwrap();
                prop_assert_eq!(&stock_map(&db), &before);
                // Again, to leave the import in place for the next round.
                import(&mut db, &csv, options).unwrap();
            }
        }
    }
}
