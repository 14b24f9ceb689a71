use super::*;

fn tables(db: &Database) -> Vec<String> {
    let mut stmt = db
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn new_database_gets_the_whole_schema_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&dir.path().join("sub/k.sqlite3")).unwrap();
    assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        tables(&db),
        [
            "day_uploads",
            "event_days",
            "event_hours",
            "kiosk_state",
            "order_outbox",
            "other_store_stock",
            "shopper_events",
            "stock_undo",
            "stock_undo_import",
            "store_locations",
            "store_stock",
            "styles",
            "sync_cursors",
            "variants",
            "warehouse_availability"
        ]
    );
    let mode: String = db
        .conn()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: bool = db
        .conn()
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert!(fk);
    // Foreign keys are enforced: stock for a variant that does not exist is refused.
    let orphan = db
        .conn()
        .execute("INSERT INTO store_stock VALUES (123, 1, 'now')", []);
    assert!(orphan.is_err());
}

#[test]
fn a_v1_database_is_migrated_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    Database::create_at_version(&path, 1).unwrap();
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "INSERT INTO styles (id, style_code, brand, name, colour, gender, price_cents, currency)
                 VALUES (1, 'S1', 'B', 'N', 'Red', 'men', 1000, 'EUR');
             INSERT INTO variants VALUES (4006381333931, 1, 270, 'M');
             INSERT INTO store_stock VALUES (4006381333931, 3, '2026-01-01T00:00:00Z');",
        )
        .unwrap();
    }
    let db = Database::open(&path).unwrap();
    assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
    let stats = db.stats().unwrap();
    assert_eq!((stats.styles, stats.variants, stats.store_stock), (1, 1, 1));
    assert!(tables(&db).contains(&"order_outbox".to_owned()));
    // Opening again is a no-op.
    drop(db);
    assert_eq!(
        Database::open(&path).unwrap().schema_version().unwrap(),
        SCHEMA_VERSION
    );
}

#[test]
fn a_newer_schema_is_refused_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite3");
    Database::create_at_version(&path, SCHEMA_VERSION).unwrap();
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Database::open(&path).unwrap_err();
    assert!(
        matches!(err, DbError::TooNew { found, .. } if found == SCHEMA_VERSION + 1),
        "{err}"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_reported_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.sqlite3");
    let junk = b"this is not a database, it is a shopping list: laces, insoles".repeat(200);
    std::fs::write(&path, &junk).unwrap();
    // Even the lightest check reads the header.
    for check in [Check::Quick, Check::OnUse] {
        let err = Database::open_with(&path, check).unwrap_err();
        assert!(matches!(err, DbError::Damaged { .. }), "{check:?}: {err:?}");
    }
    let err = Database::open(&path).unwrap_err();
    assert!(matches!(err, DbError::Damaged { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("damaged") && message.contains("Nothing was deleted"),
        "{message}"
    );
    assert!(message.contains("mv "), "says what to do: {message}");
    assert!(
        std::fs::read(&path).unwrap() == junk,
        "the file is left as it was"
    );
}

/// Enough rows that the file has pages past the header to damage.
fn one_style_with_5000_sizes(conn: &rusqlite::Connection) {
    conn.execute(
        "INSERT INTO styles (id, style_code, brand, name, colour, gender, price_cents, currency)
         VALUES (1, 'S1', 'B', 'N', 'Red', 'men', 1000, 'EUR')",
        [],
    )
    .unwrap();
    for i in 0..5000i64 {
        conn.execute("INSERT INTO variants VALUES (?1, 1, 270, 'M')", [i + 1])
            .unwrap();
    }
}

/// Scribbles over the middle of the file, as a torn write or bad disk would; returns the
/// damaged bytes, to check that nothing rewrites them.
fn scribble_over_a_page(path: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    let page = 4096;
    assert!(bytes.len() > 6 * page, "file is {} bytes", bytes.len());
    for b in &mut bytes[4 * page..4 * page + 3000] {
        *b = 0xA5;
    }
    std::fs::write(path, &bytes).unwrap();
    bytes
}

#[test]
fn a_corrupted_page_is_found_by_the_integrity_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("torn.sqlite3");
    {
        let mut db = Database::open(&path).unwrap();
        let tx = db.conn_mut().transaction().unwrap();
        one_style_with_5000_sizes(&tx);
        tx.commit().unwrap();
        db.conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
            .unwrap();
    }
    let bytes = scribble_over_a_page(&path);
    for check in [Check::Full, Check::Quick] {
        let err = Database::open_with(&path, check).unwrap_err();
        assert!(matches!(err, DbError::Damaged { .. }), "{check:?}: {err:?}");
        assert!(
            std::fs::read(&path).unwrap() == bytes,
            "the damaged file is kept for recovery"
        );
    }
    // A command that only reads opens without the page walk; whatever it reads is right or an
    // error (SQLite checks each page it reads), never a wrong answer.
    let db = Database::open_with(&path, Check::OnUse).unwrap();
    let read: rusqlite::Result<i64> =
        db.conn()
            .query_row("SELECT sum(gtin) FROM variants", [], |r| r.get(0));
    assert!(
        read.as_ref().is_err() || read == Ok(5000 * 5001 / 2),
        "{read:?}"
    );
}

#[test]
fn an_import_checks_the_database_while_it_reads_and_writes_nothing_into_a_damaged_one() {
    use crate::domain::stock::{self, ImportError, ImportOptions};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("torn.sqlite3");
    {
        let mut db = Database::open(&path).unwrap();
        let tx = db.conn_mut().transaction().unwrap();
        one_style_with_5000_sizes(&tx);
        tx.commit().unwrap();
        db.conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    let bytes = scribble_over_a_page(&path);
    // As `kiosk import-stock` opens it: no check at the open, the quick check alongside the
    // parsing of the file.
    let mut db = Database::open_with(&path, Check::OnUse).unwrap();
    let options = ImportOptions {
        check_database: true,
        ..ImportOptions::default()
    };
    let csv = "gtin,quantity\n4006381333931,1\n";
    let err =
        stock::import_stock(&mut db, csv.as_bytes(), "pos.csv", options, &mut ()).unwrap_err();
    assert!(
        matches!(err, ImportError::Db(DbError::Damaged { .. })),
        "{err:?}"
    );
    drop(db);
    assert!(std::fs::read(&path).unwrap() == bytes, "left as it was");
    // A bad file and a damaged database: the damage is what is reported.
    let mut db = Database::open_with(&path, Check::OnUse).unwrap();
    let bad = "gtin,quantity\n4006381333931,x\n";
    let err =
        stock::import_stock(&mut db, bad.as_bytes(), "pos.csv", options, &mut ()).unwrap_err();
    assert!(
        matches!(err, ImportError::Db(DbError::Damaged { .. })),
        "{err:?}"
    );
}

#[test]
fn an_open_that_migrates_checks_the_whole_file_whatever_was_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    Database::create_at_version(&path, 1).unwrap();
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        one_style_with_5000_sizes(&tx);
        tx.commit().unwrap();
    }
    let bytes = scribble_over_a_page(&path);
    // Only reading was asked for, but the schema must be migrated (a write): checked first.
    let err = Database::open_with(&path, Check::OnUse).unwrap_err();
    assert!(matches!(err, DbError::Damaged { .. }), "{err:?}");
    assert!(std::fs::read(&path).unwrap() == bytes, "left as it was");
}

#[test]
fn feeds_record_when_they_last_ran() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&dir.path().join("k.sqlite3")).unwrap();
    assert!(db.feed("catalog").unwrap().is_none());
    db.record_feed("catalog", "c42", "12 styles").unwrap();
    db.record_feed("catalog", "c43", "1 style").unwrap();
    let feed = db.feed("catalog").unwrap().unwrap();
    assert_eq!(
        (feed.cursor.as_str(), feed.detail.as_str()),
        ("c43", "1 style")
    );
    assert_eq!(db.stats().unwrap().feeds.len(), 1);
}

#[tokio::test]
async fn run_keeps_the_callers_error_type() {
    let dir = tempfile::tempdir().unwrap();
    let handle = DbHandle::new(Database::open(&dir.path().join("k.sqlite3")).unwrap());
    let refused = handle
        .run(|db| crate::domain::orders::get(db, "K-NONE-0000"))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, crate::domain::orders::OrderError::NotFound(ref id) if id == "K-NONE-0000"),
        "{refused:?}"
    );
}

#[test]
fn the_width_and_gender_checks_hold_without_a_temporary_table_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v8.sqlite3");
    // A v8 file with a stocked size, as a kiosk has before the upgrade.
    Database::create_at_version(&path, 8).unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             INSERT INTO styles (id, style_code, brand, name, colour, gender, price_cents, currency)
                 VALUES (1, 'S1', 'B', 'N', 'Red', 'men', 1000, 'EUR');
             INSERT INTO variants VALUES (1, 1, 270, 'W');
             INSERT INTO store_stock VALUES (1, 3, 'then');",
        )
        .unwrap();
    }
    let db = Database::open(&path).unwrap();
    db.check_integrity().unwrap();
    let stock: i64 = db
        .conn()
        .query_row("SELECT quantity FROM store_stock WHERE gtin = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stock, 3, "the stock survives the upgrade");
    let conn = db.conn();
    for (bad, what) in [
        ("INSERT INTO variants VALUES (2, 1, 270, 'Q')", "width"),
        ("INSERT INTO variants VALUES (2, 1, 270, NULL)", "width"),
        (
            "INSERT INTO styles (style_code, brand, name, colour, gender, price_cents, currency)
             VALUES ('S2', 'B', 'N', 'Red', 'kids', 1, 'EUR')",
            "gender",
        ),
    ] {
        assert!(
            conn.execute(bad, []).is_err(),
            "a bad {what} is still refused"
        );
    }
    conn.execute("INSERT INTO variants VALUES (2, 1, 270, 'XW')", [])
        .unwrap();
    for statement in [
        "INSERT INTO variants VALUES (3, 1, 270, 'M')",
        "UPDATE variants SET width = 'N' WHERE gtin = 1",
        "INSERT INTO styles (style_code, brand, name, colour, gender, price_cents, currency)
         VALUES ('S3', 'B', 'N', 'Red', 'women', 1, 'EUR')",
    ] {
        let mut plan = conn.prepare(&format!("EXPLAIN {statement}")).unwrap();
        let ops: Vec<String> = plan
            .query_map([], |r| r.get(1))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            !ops.iter().any(|op| op == "OpenEphemeral"),
            "{statement}: {ops:?}"
        );
    }
}
