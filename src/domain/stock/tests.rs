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
