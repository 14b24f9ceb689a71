//! The `kiosk` binary end to end: real config files, a real SQLite file on disk, real images.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

/// A temporary kiosk: a config whose database lives in a temp folder, seeded from fixtures.
struct Kiosk {
    dir: tempfile::TempDir,
}

impl Kiosk {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        std::fs::write(
            dir.path().join("kiosk.toml"),
            format!(
                "[database]\npath = \"data/kiosk.sqlite3\"\ndemo_fixtures = {:?}\n",
                fixtures.display().to_string()
            ),
        )
        .unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("kiosk").unwrap();
        // HOME too: "~/" paths (the embedded warehouse's database) stay in the temp folder.
        cmd.env("KIOSK_CONFIG", self.path("kiosk.toml"))
            .env("HOME", self.dir.path())
            .env_remove("RUST_LOG")
            .current_dir(self.dir.path());
        cmd
    }

    fn lookup_json(&self, code: &str) -> Value {
        let out = self
            .cmd()
            .args(["lookup", "--json", code])
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    }
}

const KNOWN: &str = "04012345001013";

#[test]
fn lookup_prints_the_size_grid_as_json() {
    let kiosk = Kiosk::new();
    let json = kiosk.lookup_json(&KNOWN[1..]);
    assert_eq!(json["gtin"], KNOWN);
    assert_eq!(json["style"]["style_code"], "NO-RUN-001");
    let sizes = json["sizes"].as_array().unwrap();
    assert!(sizes.len() >= 12, "the whole run: {}", sizes.len());
    let scanned = sizes.iter().find(|s| s["gtin"] == KNOWN).unwrap();
    assert_eq!(scanned["labels"]["eu"], "40");
    assert_eq!(scanned["size_mm"], 250);
    assert!(scanned["store_quantity"].is_u64());
    assert!(
        kiosk.path("data/kiosk.sqlite3").exists(),
        "first run built the database"
    );
}

#[test]
fn lookup_accepts_every_carrier_of_the_same_gtin() {
    let kiosk = Kiosk::new();
    for code in [
        "4012345001013",
        "04012345001013",
        "(01)04012345001013(10)LOT7",
        "https://id.example.com/01/04012345001013?17=281231",
    ] {
        kiosk
            .cmd()
            .args(["lookup", code])
            .assert()
            .success()
            .stdout(predicate::str::contains("Northwind Pace Runner"));
    }
}

#[test]
fn lookup_exit_codes_say_invalid_or_unknown() {
    let kiosk = Kiosk::new();
    kiosk
        .cmd()
        .args(["lookup", "4012345001014"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "wrong check digit: expected 3, found 4",
        ));
    kiosk
        .cmd()
        .args(["lookup", "https://id.example.com/01/"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cut short"));
    kiosk
        .cmd()
        .args(["lookup", "4006381333931"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not in this store's catalog"));
}

#[test]
fn import_stock_reports_counts_and_unknown_gtins() {
    let kiosk = Kiosk::new();
    let file = kiosk.path("pos.csv");
    std::fs::write(
        &file,
        format!("gtin,quantity,updated_at\n{KNOWN},11,2026-11-22\n4006381333931,2,\n"),
    )
    .unwrap();
    kiosk
        .cmd()
        .args(["import-stock", "--dry-run"])
        .arg(&file)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("would import 1").and(predicate::str::contains("dry run")),
        );
    kiosk
        .cmd()
        .args(["import-stock", "--merge"])
        .arg(&file)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("2 rows, imported 1, unknown GTINs 1")
                .and(predicate::str::contains("line 3: 04006381333931")),
        );
    let json = kiosk.lookup_json(KNOWN);
    let scanned = json["sizes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["gtin"] == KNOWN)
        .unwrap()
        .clone();
    assert_eq!(scanned["store_quantity"], 11);
}

#[test]
fn import_stock_undo_brings_the_stock_back_once() {
    let kiosk = Kiosk::new();
    let before = kiosk.lookup_json(KNOWN);
    let file = kiosk.path("pos.csv");
    std::fs::write(&file, format!("gtin,quantity\n{KNOWN},11\n")).unwrap();
    kiosk
        .cmd()
        .args(["import-stock", "--merge"])
        .arg(&file)
        .assert()
        .success();
    assert_ne!(before, kiosk.lookup_json(KNOWN));
    kiosk
        .cmd()
        .args(["import-stock", "--undo"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("undone: the import of")
                .and(predicate::str::contains("pos.csv")),
        );
    assert_eq!(before, kiosk.lookup_json(KNOWN));
    kiosk
        .cmd()
        .args(["import-stock", "--undo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("there is no import to undo"));
    // A file and --undo together make no sense: clap says so.
    kiosk
        .cmd()
        .args(["import-stock", "--undo"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn import_stock_lists_every_bad_line_and_changes_nothing() {
    let kiosk = Kiosk::new();
    let before = kiosk.lookup_json(KNOWN);
    let file = kiosk.path("bad.csv");
    std::fs::write(
        &file,
        format!("gtin,quantity\n{KNOWN},1\n123,1\n{KNOWN},x\n"),
    )
    .unwrap();
    kiosk
        .cmd()
        .arg("import-stock")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("bad.csv:3: gtin \"123\"")
                .and(predicate::str::contains("bad.csv:4: quantity \"x\""))
                .and(predicate::str::contains("previous stock is intact")),
        );
    assert_eq!(before, kiosk.lookup_json(KNOWN));
}

#[test]
fn decode_reads_drawn_barcodes_and_reports_failures_per_image() {
    let kiosk = Kiosk::new();
    let ean = kiosk.path("ean.png");
    let dm = kiosk.path("dm.png");
    let blank = kiosk.path("blank.png");
    kiosk
        .cmd()
        .args(["draw-barcode", "4012345001013"])
        .arg(&ean)
        .assert()
        .success();
    kiosk
        .cmd()
        .args([
            "draw-barcode",
            "--format",
            "data-matrix",
            "--size",
            "300x300",
            "(01)04012345001013(10)AB1",
        ])
        .arg(&dm)
        .assert()
        .success();
    image::GrayImage::from_pixel(200, 100, image::Luma([255]))
        .save(&blank)
        .unwrap();
    let out = kiosk
        .cmd()
        .args(["decode", "--json"])
        .args([&ean, &dm, &blank])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["gtin"], KNOWN);
    assert_eq!(lines[0]["error"], Value::Null);
    assert_eq!(lines[1]["gtin"], KNOWN);
    assert_eq!(lines[1]["text"], "010401234500101310AB1");
    assert_eq!(lines[2]["gtin"], Value::Null);
    assert_eq!(lines[2]["error"], "no barcode found in the picture");
    for key in ["path", "format", "text", "gtin", "error"] {
        assert!(lines[2].get(key).is_some(), "key {key} always present");
    }
}

#[test]
fn a_bad_config_names_the_line_key_and_fix() {
    let kiosk = Kiosk::new();
    let bad = kiosk.path("bad.toml");
    std::fs::write(&bad, "[ui]\nidle_timeout_s = 5\n").unwrap();
    kiosk
        .cmd()
        .args(["config", "check", "--config"])
        .arg(&bad)
        .assert()
        .code(2)
        .stdout(
            predicate::str::contains("bad.toml:2: `ui.idle_timeout_s`").and(
                predicate::str::contains("fix: use a value from 30 to 3600 s"),
            ),
        );
    kiosk
        .cmd()
        .args(["config", "check", "--only-file", "--print"])
        .assert()
        .success()
        .stdout(predicate::str::contains("is valid").and(predicate::str::contains("[warehouse]")));
}

#[test]
fn config_check_is_all_green_on_a_working_kiosk() {
    let kiosk = Kiosk::new();
    let config = std::fs::read_to_string(kiosk.path("kiosk.toml")).unwrap();
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    std::fs::write(
        kiosk.path("kiosk.toml"),
        format!(
            "{config}[warehouse]\nembedded_db = \"wh.sqlite3\"\n[camera]\nenabled = false\n\
             [ui]\nassets_dir = {:?}\n[manager]\npin_hash_env = \"\"\npin_hash_file = \"pin\"\n",
            assets.display().to_string()
        ),
    )
    .unwrap();
    kiosk
        .cmd()
        .args(["manager", "set-pin"])
        .write_stdin("2468\n")
        .assert()
        .success();
    let out = kiosk.cmd().args(["config", "check"]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for line in [
        "✓ config file",
        "✓ warehouse token: not needed",
        "✓ manager PIN: an Argon2 hash is set",
        "will be built from the demo data",
        "✓ pictures: 44 in",
        "✓ camera: switched off",
        "✓ warehouse catalog changes",
        "✓ warehouse stock changes",
        "✓ warehouse availability: GTIN",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
    assert!(!text.contains('✗'), "{text}");
}

#[test]
fn config_check_names_every_broken_part_with_its_fix() {
    let kiosk = Kiosk::new();
    std::fs::write(
        kiosk.path("kiosk.toml"),
        "[database]\npath = \"k.sqlite3\"\ndemo_fixtures = \"\"\n\
         [warehouse]\nmode = \"remote\"\nurl = \"http://127.0.0.1:9/\"\n\
         token_env = \"KIOSK_TEST_UNSET_TOKEN\"\nmax_retries = 0\n\
         [camera]\nsource = \"replay:no-such-folder\"\n\
         [manager]\npin_hash_env = \"\"\npin_hash_file = \"pin\"\n",
    )
    .unwrap();
    std::fs::write(kiosk.path("pin"), "1234\n").unwrap();
    let out = kiosk
        .cmd()
        .env_remove("KIOSK_TEST_UNSET_TOKEN")
        .args(["config", "check"])
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for line in [
        "✗ warehouse token: not set ($KIOSK_TEST_UNSET_TOKEN)",
        "✗ manager PIN: the manager PIN hash is not an Argon2 hash",
        "✗ pictures: no product pictures in",
        "✗ camera:",
        "no-such-folder",
        "✗ warehouse catalog changes: cannot reach the warehouse",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
    assert!(text.matches("    fix: ").count() >= 5, "{text}");
    // A check changes nothing: no database was created.
    assert!(!kiosk.path("k.sqlite3").exists());
}

#[test]
fn config_check_lists_every_invalid_value_at_once_with_its_line() {
    let kiosk = Kiosk::new();
    std::fs::write(
        kiosk.path("kiosk.toml"),
        "[store]\ncountry = \"XX\"\n[warehouse]\ntimeout_ms = 5000\nmax_retries = 99\n\
         [camera]\nfps = 0\n",
    )
    .unwrap();
    let out = kiosk.cmd().args(["config", "check"]).assert().code(2);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for line in [
        "3 problems:",
        "kiosk.toml:2: `store.country`",
        "kiosk.toml:5: `warehouse.max_retries`",
        "kiosk.toml:7: `camera.fps`",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
}

#[test]
fn config_check_says_how_a_typed_value_is_written() {
    let kiosk = Kiosk::new();
    std::fs::write(kiosk.path("kiosk.toml"), "[camera]\nsource = \"webcam\"\n").unwrap();
    let out = kiosk.cmd().args(["config", "check"]).assert().code(2);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for line in [
        "kiosk.toml:2: `camera.source`",
        "\"webcam\" is not a camera source",
        "replay:fixtures/frames",
    ] {
        assert!(text.contains(line), "{line:?} missing in:\n{text}");
    }
}

#[test]
fn db_check_reports_counts_and_refuses_a_damaged_file() {
    let kiosk = Kiosk::new();
    kiosk.cmd().args(["db", "check"]).assert().success().stdout(
        predicate::str::contains("integrity       ok")
            .and(predicate::str::contains("styles          44")),
    );
    let db = kiosk.path("data/kiosk.sqlite3");
    std::fs::write(&db, b"garbage".repeat(1000)).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(kiosk.path(&format!("data/kiosk.sqlite3{suffix}")));
    }
    kiosk.cmd().args(["db", "check"]).assert().code(1).stderr(
        predicate::str::contains("damaged").and(predicate::str::contains("Nothing was deleted")),
    );
    assert!(std::fs::read(&db).unwrap() == b"garbage".repeat(1000));
}

#[test]
fn decode_over_the_corpus_reports_rates_and_never_a_wrong_read() {
    let kiosk = Kiosk::new();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus");
    kiosk
        .cmd()
        .arg("decode")
        .arg(&corpus)
        .assert()
        .success()
        .stderr(predicate::str::contains("category").and(predicate::str::contains(", 0 wrong")));
}

#[test]
fn report_gives_csv_and_svg_charts_from_a_fresh_demo_database() {
    let kiosk = Kiosk::new();
    let out = kiosk
        .cmd()
        .args(["report", "--days", "28", "--csv", "--charts", "charts"])
        .assert()
        .success();
    let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("metric,key,label,count"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.iter().filter(|r| r[0] == "scans_per_day").count(), 28);
    // The demo database holds four weeks of sample shoppers: something was scanned and lost.
    let scanned: u64 = rows
        .iter()
        .find(|r| r[0] == "funnel" && r[1] == "scanned")
        .map(|r| r[3].parse().unwrap())
        .unwrap();
    assert!(scanned > 1000, "{scanned}");
    assert!(rows.iter().any(|r| r[0] == "lost_by_style"));
    for chart in [
        "scans_per_day",
        "scans_per_hour",
        "funnel",
        "outcomes",
        "lost_by_style",
        "lost_by_size",
    ] {
        let svg = std::fs::read_to_string(kiosk.path(&format!("charts/{chart}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<rect"), "{chart}");
    }
}

#[test]
fn report_reorder_lists_style_by_size_as_a_table_and_a_spreadsheet() {
    let kiosk = Kiosk::new();
    let out = kiosk
        .cmd()
        .args(["report", "--days", "28", "--reorder"])
        .assert()
        .success();
    let table = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(table.contains("What to reorder"), "{table}");
    assert!(table.contains("EU "), "{table}");
    let out = kiosk
        .cmd()
        .args(["report", "--days", "28", "--reorder", "--csv"])
        .assert()
        .success();
    let csv = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let csv = csv.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(&reader.headers().unwrap()[4], "Asked for, not in store");
    let asked: Vec<u64> = reader
        .records()
        .map(|r| r.unwrap()[4].parse().unwrap())
        .collect();
    // The demo's sample shoppers asked for sizes the store lacked, most asked first.
    assert!(!asked.is_empty());
    assert!(asked.windows(2).all(|w| w[0] >= w[1]), "{asked:?}");
}

#[test]
fn report_refuses_a_bad_period_and_says_how_to_write_it() {
    let kiosk = Kiosk::new();
    kiosk
        .cmd()
        .args(["report", "--from", "2026-11-31"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--from \"2026-11-31\" is not a date",
        ))
        .stderr(predicate::str::contains("YYYY-MM-DD"));
    kiosk
        .cmd()
        .args(["report", "--from", "2026-11-20", "--to", "2026-11-01"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("swap them"));
}

#[test]
fn set_pin_writes_an_argon2_hash_where_the_config_says_and_never_the_pin() {
    let kiosk = Kiosk::new();
    let config = std::fs::read_to_string(kiosk.path("kiosk.toml")).unwrap();
    std::fs::write(
        kiosk.path("kiosk.toml"),
        format!("{config}[manager]\npin_hash_file = \"secrets/manager.pin\"\n"),
    )
    .unwrap();
    kiosk
        .cmd()
        .env_remove("KIOSK_MANAGER_PIN_HASH")
        .args(["manager", "set-pin"])
        .write_stdin("482916\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("secrets/manager.pin"));
    let hash = std::fs::read_to_string(kiosk.path("secrets/manager.pin")).unwrap();
    assert!(!hash.contains("482916"));
    assert!(kiosk::domain::pin::verify_pin("482916", hash.trim()).unwrap());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(kiosk.path("secrets/manager.pin"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A PIN with letters is refused and nothing is written.
    kiosk
        .cmd()
        .args(["manager", "set-pin"])
        .write_stdin("12ab\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("4 to 12 digits"));
    assert_eq!(
        std::fs::read_to_string(kiosk.path("secrets/manager.pin")).unwrap(),
        hash
    );
}

#[test]
fn import_catalog_adds_and_updates_styles_all_or_nothing() {
    let kiosk = Kiosk::new();
    // A first command builds the demo database.
    kiosk.lookup_json(&KNOWN[1..]);
    let dir = kiosk.path("catalog");
    std::fs::create_dir_all(&dir).unwrap();
    let header =
        "style_code,brand,name,colour,gender,price_cents,currency,image,description,fit_note";
    std::fs::write(
        dir.join("styles.csv"),
        format!(
            "{header}\nNO-RUN-001,Northwind,Pace Runner,Black,men,13999,EUR,styles/no-run-001.svg,Road shoe.,True to size.\n\
             NEW-STY-900,Acme,Harbour Boat Shoe,Navy,unisex,8999,EUR,styles/no-run-001.svg,Deck shoe.,\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("variants.csv"),
        "gtin,style_code,size_mm,width\n4012345900019,NEW-STY-900,265,M\n",
    )
    .unwrap();
    kiosk
        .cmd()
        .arg("import-catalog")
        .arg(&dir)
        .assert()
        .success()
        .stdout(predicate::str::contains("2 styles and 1 sizes"));
    let json = kiosk.lookup_json("4012345900019");
    assert_eq!(json["style"]["name"], "Harbour Boat Shoe");
    assert_eq!(
        kiosk.lookup_json(&KNOWN[1..])["style"]["price_cents"],
        13999
    );

    // Translations ride along; a line with a language that is not a tag is refused by line.
    std::fs::write(
        dir.join("style_texts.csv"),
        "style_code,lang,name,colour,description,fit_note
         NEW-STY-900,es,Náutico Harbour,Azul marino,,
",
    )
    .unwrap();
    kiosk
        .cmd()
        .arg("import-catalog")
        .arg(&dir)
        .assert()
        .success();
    let json = kiosk.lookup_json("4012345900019");
    assert_eq!(json["style"]["translations"]["es"]["colour"], "Azul marino");
    std::fs::write(
        dir.join("style_texts.csv"),
        "style_code,lang,name,colour,description,fit_note
         NEW-STY-900,es,,Azul marino,,
         NEW-STY-900,español!,,Azul,,
",
    )
    .unwrap();
    kiosk
        .cmd()
        .arg("import-catalog")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("style_texts.csv: line 3: lang"));
    std::fs::remove_file(dir.join("style_texts.csv")).unwrap();

    // A bad line: nothing of the file goes in, and the error names file and line.
    std::fs::write(
        dir.join("variants.csv"),
        "gtin,style_code,size_mm,width\n4012345900026,NEW-STY-900,270,M\n4012345900033,NEW-STY-900,275,Q\n",
    )
    .unwrap();
    kiosk
        .cmd()
        .arg("import-catalog")
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "variants.csv: line 3: width \"Q\"",
        ));
    kiosk
        .cmd()
        .args(["lookup", "4012345900026"])
        .assert()
        .code(3);
}

#[test]
fn logs_can_be_json_lines_for_a_log_collector() {
    let kiosk = Kiosk::new();
    let out = kiosk
        .cmd()
        .args(["--log-format", "json", "-v", "db", "check"])
        .assert()
        .success();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let lines: Vec<Value> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect();
    for line in &lines {
        assert!(
            line["level"].is_string() && line["message"].is_string(),
            "{line}"
        );
    }
    // The note about the demo database is a log event too, not a bare line.
    assert!(
        lines.iter().any(|l| l["message"]
            .as_str()
            .unwrap()
            .contains("from the demo data")),
        "{stderr}"
    );
    // And so is the error that ends a command.
    let out = kiosk
        .cmd()
        .args(["--log-format", "json", "lookup", "4012345001014"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let line: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(line["level"], "ERROR");
    assert!(
        line["message"].as_str().unwrap().contains("check digit"),
        "{line}"
    );
}

// ---- Trust at the edges: the store tools under bad input ----

#[test]
fn a_whole_stock_import_that_would_empty_the_stock_is_refused_unless_forced() {
    let kiosk = Kiosk::new();
    let before = kiosk.lookup_json(KNOWN);
    // Header only, then a file of GTINs the catalog does not know.
    for (name, text) in [
        ("empty.csv", "gtin,quantity\n".to_owned()),
        ("unknown.csv", "gtin,quantity\n4006381333931,2\n".to_owned()),
    ] {
        let file = kiosk.path(name);
        std::fs::write(&file, text).unwrap();
        kiosk
            .cmd()
            .arg("import-stock")
            .arg(&file)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("would remove")
                    .and(predicate::str::contains("sizes in stock"))
                    .and(predicate::str::contains("--force"))
                    .and(predicate::str::contains("nothing was imported")),
            );
        assert_eq!(before, kiosk.lookup_json(KNOWN), "{name} changed nothing");
    }
    kiosk
        .cmd()
        .args(["import-stock", "--force"])
        .arg(kiosk.path("empty.csv"))
        .assert()
        .success();
    let after = kiosk.lookup_json(KNOWN);
    assert!(
        after["sizes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["store_quantity"].is_null()),
        "forced: the stock list is empty"
    );
}

#[test]
fn decode_refuses_an_oversize_picture_before_decoding_it() {
    let kiosk = Kiosk::new();
    // A real 1×1 PNG whose header then says 20000×20000 (the CRC fixed to match).
    let mut png = Vec::new();
    image::GrayImage::new(1, 1)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png[16..20].copy_from_slice(&20_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&20_000u32.to_be_bytes());
    let crc = crc32fast::hash(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    let file = kiosk.path("huge.png");
    std::fs::write(&file, png).unwrap();
    let started = std::time::Instant::now();
    let out = kiosk
        .cmd()
        .args(["decode", "--json"])
        .arg(&file)
        .assert()
        .code(2);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("20000×20000"), "{text}");
    assert!(text.contains("12000×12000"), "{text}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn every_command_ends_quietly_when_its_reader_goes_away() {
    let kiosk = Kiosk::new();
    kiosk.lookup_json(KNOWN);
    for args in [
        vec!["lookup", KNOWN, "--json"],
        vec!["lookup", KNOWN],
        vec!["orders", "list", "--json"],
        vec!["--help"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .args(&args)
            .env("KIOSK_CONFIG", kiosk.path("kiosk.toml"))
            .env("HOME", kiosk.path(""))
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(101), "{args:?}");
    }
}

#[test]
fn orders_place_reads_the_shopper_from_standard_input_not_the_command_line() {
    let kiosk = Kiosk::new();
    let help = kiosk
        .cmd()
        .args(["orders", "place", "--help"])
        .assert()
        .success();
    let help = String::from_utf8_lossy(&help.get_output().stdout).into_owned();
    assert!(help.contains("--from"), "{help}");
    assert!(help.contains("standard input"), "{help}");
    let order = serde_json::json!({
        "gtin": KNOWN,
        "ship_to": {"name": "Ana Li", "line1": "Hauptstr. 1", "postal_code": "10115",
                    "city": "Berlin", "country": "DE"},
        "contact": {"email": "ana@example.com"}
    });
    kiosk
        .cmd()
        .args(["orders", "place", "--from", "-", "--no-send"])
        .write_stdin(order.to_string())
        .assert()
        .success()
        .stdout(predicate::str::contains("written to the outbox"));
    let list = kiosk
        .cmd()
        .args(["orders", "list", "--json"])
        .assert()
        .success();
    let list: Value = serde_json::from_slice(&list.get_output().stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(
        !list.to_string().contains("Ana"),
        "no shopper details listed"
    );
    // A broken document is named, with where, not echoed.
    kiosk
        .cmd()
        .args(["orders", "place", "--from", "-", "--no-send"])
        .write_stdin(r#"{"gtin": "04012345001013", "ship_to": {"name": "Secret Name"}}"#)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("not an order")
                .and(predicate::str::contains("line 1"))
                .and(predicate::str::contains("Secret").not()),
        );
}

#[test]
fn lookup_can_ask_the_warehouse_live() {
    let kiosk = Kiosk::new();
    let out = kiosk
        .cmd()
        .args(["lookup", KNOWN, "--warehouse"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("warehouse now"), "{text}");
    assert!(text.contains("(arrives "), "{text}");
    assert!(text.contains("warehouse answered at"), "{text}");
    let out = kiosk
        .cmd()
        .args(["lookup", KNOWN, "--warehouse", "--json"])
        .assert()
        .success();
    let json: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(!json["warehouse"]["items"].as_array().unwrap().is_empty());
}

#[test]
fn warehouse_tokens_are_added_listed_and_revoked_and_never_stored_in_clear() {
    let kiosk = Kiosk::new();
    let db = kiosk.path("wh.sqlite3");
    let out = kiosk
        .cmd()
        .args(["warehouse", "token", "add", "store-7", "--db"])
        .arg(&db)
        .assert()
        .success();
    let token = String::from_utf8_lossy(&out.get_output().stdout)
        .trim()
        .to_owned();
    assert_eq!(token.len(), 64, "{token}");
    let out = kiosk
        .cmd()
        .args(["warehouse", "token", "list", "--json", "--db"])
        .arg(&db)
        .assert()
        .success();
    let list: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(list[0]["store_id"], "store-7");
    assert!(!list.to_string().contains(&token));
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let mut bytes = std::fs::read(&db).unwrap();
    bytes.extend(std::fs::read(kiosk.path("wh.sqlite3-wal")).unwrap_or_default());
    assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
    kiosk
        .cmd()
        .args(["warehouse", "token", "revoke", &id, "--db"])
        .arg(&db)
        .assert()
        .success();
    kiosk
        .cmd()
        .args(["warehouse", "token", "revoke", &id, "--db"])
        .arg(&db)
        .assert()
        .code(2);
    // serve takes no token on its command line.
    kiosk
        .cmd()
        .args(["warehouse", "serve", "--token", "s=t", "--db"])
        .arg(&db)
        .assert()
        .code(2);
}

#[test]
fn the_chains_stores_are_imported_all_or_nothing_with_the_bad_line_named() {
    let kiosk = Kiosk::new();
    let db = kiosk.path("wh.sqlite3");
    let file = kiosk.path("stores.csv");
    std::fs::write(
        &file,
        "store_id,name,address,latitude,longitude\n\
         s-1,Old Town,\"Calle 1, Madrid\",40.43,-3.70\n\
         s-2,Riverside,\"Calle 2, Madrid\",140.0,-3.70\n",
    )
    .unwrap();
    kiosk
        .cmd()
        .args(["warehouse", "stores", "import"])
        .arg(&file)
        .arg("--db")
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("line 3"))
        .stderr(predicates::str::contains("latitude must be -90 to 90"));
    let list = |kiosk: &Kiosk| -> Value {
        let out = kiosk
            .cmd()
            .args(["warehouse", "stores", "list", "--json", "--db"])
            .arg(&db)
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    assert_eq!(list(&kiosk), serde_json::json!([]), "nothing of a bad file");
    std::fs::write(
        &file,
        "store_id,name,address,latitude,longitude\n\
         s-1,Old Town,\"Calle 1, Madrid\",40.43,-3.70\n\
         s-2,Riverside,\"Calle 2, Madrid\",,\n",
    )
    .unwrap();
    kiosk
        .cmd()
        .args(["warehouse", "stores", "import"])
        .arg(&file)
        .arg("--db")
        .arg(&db)
        .assert()
        .success()
        .stdout(predicates::str::contains("2 store(s)"));
    let stores = list(&kiosk);
    assert_eq!(stores[0]["name"], "Old Town");
    assert_eq!(stores[0]["latitude"], 40.43);
    assert!(stores[1].get("latitude").is_none(), "not placed: {stores}");
}

#[test]
fn the_pick_up_counter_lists_what_it_holds_and_refuses_a_code_it_does_not_have() {
    let kiosk = Kiosk::new();
    kiosk
        .cmd()
        .args(["pickups", "list"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "nothing to hand over at store demo-store-001",
        ));
    kiosk
        .cmd()
        .args(["pickups", "list", "--all", "--json"])
        .assert()
        .success()
        .stdout(predicates::str::contains("[]"));
    kiosk
        .cmd()
        .args(["pickups", "collected", "k-nope-0000"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("K-NOPE-0000"))
        .stderr(predicates::str::contains("not found"));
}

#[test]
fn the_fleet_list_says_when_no_kiosk_has_reported() {
    let kiosk = Kiosk::new();
    let db = kiosk.path("wh.sqlite3");
    kiosk
        .cmd()
        .args(["warehouse", "fleet", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicates::str::contains("no kiosk has reported yet"));
    kiosk
        .cmd()
        .args(["warehouse", "fleet", "--json", "--db"])
        .arg(&db)
        .assert()
        .success()
        .stdout(predicates::str::contains("[]"));
}

#[test]
fn the_chain_report_names_where_each_missing_size_was_asked_for_most() {
    use kiosk::warehouse::protocol::{DayCount, DaySummary};
    let kiosk = Kiosk::new();
    let db = kiosk.path("wh.sqlite3");
    let store = kiosk::warehouse::server::WarehouseStore::open(&db).unwrap();
    let missing = |size_mm, count| DayCount {
        kind: "size_missing".into(),
        style_code: "NO-RUN-001".into(),
        size_mm,
        count,
    };
    for (shop, kiosk_id, day, counts) in [
        (
            "north",
            "k1",
            "2026-11-02",
            vec![missing(265, 5), missing(270, 1)],
        ),
        ("north", "k2", "2026-11-02", vec![missing(265, 2)]),
        ("south", "k1", "2026-11-03", vec![missing(265, 3)]),
        ("south", "k1", "2026-10-01", vec![missing(265, 50)]),
    ] {
        let summary = DaySummary {
            day: day.into(),
            counts,
            scans_per_hour: Vec::new(),
        };
        store.record_day_summary(shop, kiosk_id, &summary).unwrap();
    }
    drop(store);
    let out = kiosk.path("report");
    kiosk
        .cmd()
        .args(["warehouse", "report", "--from", "2026-11-01", "--to", "2026-11-30", "--db"])
        .arg(&db)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "2026-11-01 to 2026-11-30: 11 size(s) asked for that the store did not have, in 2 store(s)",
        ))
        .stdout(predicates::str::contains("north (7)"))
        .stdout(predicates::str::contains("70 %"));
    let where_asked = std::fs::read_to_string(out.join("where_asked.csv")).unwrap();
    assert!(
        where_asked.contains("NO-RUN-001,,265,EU 42,10,2,north,7,0.70"),
        "{where_asked}"
    );
    assert!(out.join("chain_lost_by_size.svg").exists());
    // A period that ends before it begins is the user's mistake, said as such.
    kiosk
        .cmd()
        .args([
            "warehouse",
            "report",
            "--from",
            "2026-11-30",
            "--to",
            "2026-11-01",
            "--db",
        ])
        .arg(&db)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("swap them"));
}

#[test]
fn a_warehouse_without_demo_data_is_asked_for_with_an_empty_fixtures_path() {
    let kiosk = Kiosk::new();
    let db = kiosk.path("empty-wh.sqlite3");
    // Accepted (no demo data), then refused for the missing token: nothing was loaded.
    kiosk
        .cmd()
        .args([
            "warehouse",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--fixtures",
            "",
            "--db",
        ])
        .arg(&db)
        .env_remove("KIOSK_WAREHOUSE_TOKEN")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no token"));
    let store = kiosk::warehouse::server::WarehouseStore::open(&db).unwrap();
    assert!(store.is_empty().unwrap());
}

#[test]
fn no_database_is_kept_in_the_source_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Ok(out) = std::process::Command::new("git")
        .args(["ls-files", "*.sqlite3*", "*.db"])
        .current_dir(root)
        .output()
    else {
        return; // not a git checkout (a packaged source): nothing to check
    };
    let tracked = String::from_utf8_lossy(&out.stdout);
    assert!(tracked.trim().is_empty(), "tracked databases: {tracked}");
    // The shipped config keeps the demo's databases out of the tree.
    let config = kiosk::checks::load(Some(&root.join("kiosk.toml"))).unwrap();
    for path in [
        config.database_path(),
        config.resolve(&config.config.warehouse.embedded_db),
        config.resolve(&config.config.health.file),
    ] {
        assert!(
            !path.starts_with(root),
            "{} is in the source tree",
            path.display()
        );
    }
}

#[test]
fn run_headless_keeps_the_services_going_without_a_window_until_sigterm() {
    let kiosk = Kiosk::new();
    let config = std::fs::read_to_string(kiosk.path("kiosk.toml")).unwrap();
    std::fs::write(
        kiosk.path("kiosk.toml"),
        format!(
            "{config}[warehouse]\nembedded_db = \"wh.sqlite3\"\n\
             [health]\nfile = \"health.json\"\nlisten = \"\"\ninterval_s = 1\n"
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kiosk"))
        .args(["run", "--headless"])
        .env("KIOSK_CONFIG", kiosk.path("kiosk.toml"))
        .env("HOME", kiosk.path(""))
        .env("DISPLAY", "")
        .env("WAYLAND_DISPLAY", "")
        .current_dir(kiosk.path(""))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // No display is needed: the background sync runs and the health file is written; the
    // camera (enabled by default) belongs to the window, so headless says there is none.
    let health = kiosk.path("health.json");
    let mut last = Value::Null;
    for _ in 0..300 {
        if let Ok(bytes) = std::fs::read(&health)
            && let Ok(json) = serde_json::from_slice::<Value>(&bytes)
        {
            last = json;
            if last["last_sync_at"].is_string() {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        last["last_sync_at"].is_string(),
        "synced, health written: {last}"
    );
    assert_eq!(last["camera"], "none");
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let mut status = None;
    for _ in 0..300 {
        status = child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let Some(status) = status else {
        child.kill().unwrap();
        panic!("still running 30 s after SIGTERM");
    };
    assert!(status.success(), "a clean stop: {status}");
}
