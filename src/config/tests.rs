use std::path::Path;

use super::*;

/// The first problem (in the file's order) of config text checked with every rule.
fn err_of(text: &str) -> Located {
    match crate::checks::parse(text, Path::new("kiosk.toml")) {
        Err(e) if e.located().is_some() => e.located().cloned().unwrap(),
        other => panic!("expected a located error for {text:?}, got {other:?}"),
    }
}

#[test]
fn every_broken_rule_is_reported_at_once_in_the_files_order() {
    let text = "[store]\ncountry = \"XX\"\n[warehouse]\nmax_retries = 99\n\
                [camera]\nwidth = 10\nfps = 0\n[ui]\nlanguages = [\"en\", \"xx\"]\n";
    let e = crate::checks::parse(text, Path::new("kiosk.toml")).unwrap_err();
    let keys: Vec<(Option<usize>, &str)> = e
        .all_located()
        .iter()
        .map(|l| (l.line, l.key.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        keys,
        [
            (Some(2), "store.country"),
            (Some(4), "warehouse.max_retries"),
            (Some(6), "camera.width"),
            (Some(7), "camera.fps"),
            (Some(9), "ui.languages"),
        ]
    );
    let shown = e.to_string();
    assert!(shown.starts_with("5 problems:"), "{shown}");
    // The config's own rules alone do not know countries or languages.
    let own = parse(text, Path::new("kiosk.toml")).unwrap_err();
    assert_eq!(own.all_located().len(), 3);
}

use super::error::Located;

#[test]
fn shipped_kiosk_toml_is_the_documented_default() {
    let text = include_str!("../../kiosk.toml");
    let config = parse(text, Path::new("kiosk.toml")).expect("shipped kiosk.toml is valid");
    assert_eq!(
        config,
        Config::default(),
        "kiosk.toml and Config::default() disagree"
    );
}

#[test]
fn empty_file_means_defaults() {
    assert_eq!(parse("", Path::new("k.toml")), Ok(Config::default()));
}

#[test]
fn unknown_key_names_key_line_and_fix() {
    let e = err_of("[store]\nid = \"s1\"\n\n[warehouse]\ntimeout = 5\n");
    assert_eq!(e.line, Some(5));
    assert_eq!(e.key.as_deref(), Some("warehouse.timeout"));
    assert!(
        e.problem.contains("unknown field `timeout`"),
        "{}",
        e.problem
    );
    assert!(
        e.problem.contains("timeout_ms"),
        "lists accepted keys: {}",
        e.problem
    );
    assert!(e.fix.contains("spelling"));
    let shown = e.to_string();
    assert!(
        shown.starts_with("kiosk.toml:5: `warehouse.timeout`"),
        "{shown}"
    );
}

#[test]
fn unknown_section_is_reported() {
    let e = err_of("[stroe]\nid = \"x\"\n");
    assert_eq!(e.line, Some(1));
    assert!(e.problem.contains("unknown field `stroe`"), "{}", e.problem);
}

#[test]
fn wrong_types_name_the_key() {
    let cases = [
        (
            "[warehouse]\ntimeout_ms = \"3s\"\n",
            2,
            "warehouse.timeout_ms",
            "invalid type",
        ),
        (
            "[camera]\nenabled = \"yes\"\n",
            2,
            "camera.enabled",
            "invalid type",
        ),
        (
            "[ui]\ntheme = \"neon\"\n",
            2,
            "ui.theme",
            "unknown variant `neon`",
        ),
        (
            "[barcode]\nformats = [\"ean13\", \"pdf417\"]\n",
            2,
            "barcode.formats",
            "unknown variant `pdf417`",
        ),
        (
            "[warehouse]\nmax_retries = -1\n",
            2,
            "warehouse.max_retries",
            "invalid value",
        ),
    ];
    for (text, line, key, problem) in cases {
        let e = err_of(text);
        assert_eq!(e.line, Some(line), "{text}");
        assert_eq!(e.key.as_deref(), Some(key), "{text}");
        assert!(e.problem.contains(problem), "{text}: {}", e.problem);
    }
}

#[test]
fn syntax_error_has_a_line() {
    let e = err_of("[store]\nid = \"unterminated\n");
    assert_eq!(e.line, Some(2));
    assert!(e.fix.contains("syntax"));
}

#[test]
fn invalid_values_name_key_line_and_fix() {
    let cases = [
        (
            "[store]\nid = \"has space\"\n",
            "store.id",
            Some(2),
            "letters, digits",
        ),
        (
            "[store]\nkiosk_id = \"front door\"\n",
            "store.kiosk_id",
            Some(2),
            "letters, digits",
        ),
        (
            "[store]\ncurrency = \"euro\"\n",
            "store.currency",
            Some(2),
            "three capital letters",
        ),
        (
            "[store]\nlatitude = 140.2\nlongitude = -3.7\n",
            "store.latitude",
            Some(2),
            "latitude -90 to 90",
        ),
        (
            "[store]\nlatitude = 40.4\n",
            "store.latitude",
            Some(2),
            "both or neither",
        ),
        (
            "[store]\npickup_within_km = -1\n",
            "store.pickup_within_km",
            Some(2),
            "0 to 500",
        ),
        (
            "[warehouse]\n\ntimeout_ms = 5\n",
            "warehouse.timeout_ms",
            Some(3),
            "100 to 120000 ms",
        ),
        (
            "[warehouse]\nmode = \"remote\"\nurl = \"ftp://x\"\n",
            "warehouse.url",
            Some(3),
            "https://",
        ),
        (
            "[warehouse]\nmode = \"remote\"\nurl = \"not a url\"\n",
            "warehouse.url",
            Some(3),
            "https://",
        ),
        ("[camera]\nfps = 0\n", "camera.fps", Some(2), "1 to 120"),
        (
            "[camera]\nread_sound_volume = 1.5\n",
            "camera.read_sound_volume",
            Some(2),
            "0.0 to 1.0",
        ),
        ("[ui]\nscale = 9.0\n", "ui.scale", Some(2), "0.5 to 4.0"),
        (
            "[barcode]\nformats = []\n",
            "barcode.formats",
            Some(2),
            "at least one",
        ),
        (
            "[notifications]\nassociate_webhook = \"hook\"\n",
            "notifications.associate_webhook",
            Some(2),
            "https://",
        ),
        (
            "[notifications]\nassociate_webhook = \"mailto:staff@example.com\"\n",
            "notifications.associate_webhook",
            Some(2),
            "https://",
        ),
        // Typed values: parsed when read, each with how it is written.
        (
            "[health]\nlisten = \"localhost\"\n",
            "health.listen",
            Some(2),
            "127.0.0.1:8790",
        ),
        (
            "[camera]\nsource = \"webcam\"\n",
            "camera.source",
            Some(2),
            "replay:fixtures/frames",
        ),
        (
            "[ui]\nidle_timeout_s = -5\n",
            "ui.idle_timeout_s",
            Some(2),
            "whole number of seconds",
        ),
        (
            "[warehouse]\nconnect_timeout_ms = 1.5\n",
            "warehouse.connect_timeout_ms",
            Some(2),
            "whole number of milliseconds",
        ),
    ];
    for (text, key, line, fix) in cases {
        let e = err_of(text);
        assert_eq!(e.key.as_deref(), Some(key), "{text}");
        assert_eq!(e.line, line, "{text}");
        assert!(e.fix.contains(fix), "{text}: {}", e.fix);
    }
}

#[test]
fn cross_field_rules() {
    let cases = [
        ("[ui]\nlanguages = [\"es\"]\n", "ui.default_language", None),
        (
            "[ui]\nlanguages = [\"en\", \"xx\"]\n",
            "ui.languages",
            Some(2),
        ),
        (
            "[ui]\nlanguages = [\"en\"]\ndefault_language = \"es\"\n",
            "ui.default_language",
            Some(3),
        ),
        (
            "[ui]\nsize_systems = [\"us\"]\n",
            "ui.default_size_system",
            None,
        ),
        (
            "[ui]\nidle_timeout_s = 40\nidle_countdown_s = 40\n",
            "ui.idle_countdown_s",
            Some(3),
        ),
        (
            "[manager]\nidle_timeout_s = 30\n",
            "manager.idle_timeout_s",
            Some(2),
        ),
        (
            "[warehouse]\ntoken_file = \"/run/secrets/t\"\n",
            "warehouse.token_file",
            Some(2),
        ),
        (
            "[warehouse]\ntimeout_ms = 500\nconnect_timeout_ms = 900\n",
            "warehouse.connect_timeout_ms",
            Some(3),
        ),
    ];
    for (text, key, line) in cases {
        let e = err_of(text);
        assert_eq!(e.key.as_deref(), Some(key), "{text}");
        assert_eq!(e.line, line, "{text}");
    }
}

#[test]
fn relative_paths_resolve_against_the_config_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kiosk.toml");
    std::fs::write(
        &file,
        "[database]\npath = \"data/cache.sqlite3\"\ndemo_fixtures = \"\"\n",
    )
    .unwrap();
    let loaded = crate::checks::load(Some(&file)).unwrap();
    assert_eq!(
        loaded.database_path(),
        dir.path().join("data/cache.sqlite3")
    );
    assert_eq!(loaded.fixtures_dir(), None);
}

#[test]
fn missing_explicit_file_is_an_error() {
    let e = crate::checks::load(Some(Path::new("/nonexistent/kiosk.toml"))).unwrap_err();
    assert!(matches!(e, ConfigError::Io { .. }), "{e:?}");
    assert!(e.to_string().contains("/nonexistent/kiosk.toml"));
}

#[test]
fn secrets_come_from_a_file_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "s3cret\n").unwrap();
    let from_file = SecretSource::new("", &file);
    assert_eq!(read_secret(&from_file).unwrap().as_deref(), Some("s3cret"));
    let unset = SecretSource::new("KIOSK_TEST_SURELY_UNSET_VARIABLE", Path::new(""));
    assert_eq!(read_secret(&unset).unwrap(), None);
    let missing = SecretSource::new("", &dir.path().join("nope"));
    assert!(read_secret(&missing).is_err());
}

#[test]
fn the_shipped_kiosk_toml_documents_every_mapped_key_and_template_variable() {
    use crate::warehouse::mapped::{COMMON_VARIABLES, Op};
    let text = include_str!("../../kiosk.toml");
    let comments: String = text
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let keys = serde_json::to_value(Operation::<FieldMap>::default()).unwrap();
    let keys = keys.as_object().unwrap().keys().cloned();
    for word in Op::ALL
        .iter()
        .map(|op| op.name())
        .chain(COMMON_VARIABLES)
        .chain(Op::ALL.iter().flat_map(|op| op.variables().iter().copied()))
        .map(str::to_owned)
        .chain(keys)
    {
        assert!(
            comments.contains(&word),
            "kiosk.toml's comments do not mention `{word}`"
        );
    }
}

#[test]
fn an_empty_path_stays_empty_and_a_home_path_leaves_the_config_folder() {
    let loaded = LoadedConfig {
        config: Config::default(),
        source: Some("/etc/kiosk/kiosk.toml".into()),
    };
    assert_eq!(loaded.resolve(Path::new("")), PathBuf::new());
    assert_eq!(
        loaded.resolve(Path::new("a.csv")),
        Path::new("/etc/kiosk/a.csv")
    );
    if let Some(home) = std::env::var_os("HOME") {
        assert_eq!(
            loaded.resolve(Path::new("~/.local/state/kiosk/k.sqlite3")),
            Path::new(&home).join(".local/state/kiosk/k.sqlite3")
        );
    }
}

#[test]
fn a_mapped_operation_has_exactly_its_own_fields() {
    let op = |fields: &str| {
        format!(
            "[warehouse]\nmode = \"mapped\"\nurl = \"https://shop.example/\"\n\
             [warehouse.mapped.availability]\nurl = \"{{{{ base }}}}stock\"\nfields = {{ {fields} }}\n"
        )
    };
    // A misspelt field: refused where it is written, with the fields this operation has.
    let e = err_of(&op(
        "items = \"/i\", sku = \"/s\", quantity = \"/q\", reserverd = \"/r\"",
    ));
    assert_eq!(e.line, Some(6));
    assert!(
        e.problem.contains("unknown field `reserverd`"),
        "{}",
        e.problem
    );
    assert!(e.problem.contains("reserved"), "{}", e.problem);
    // A field it needs: named.
    let e = err_of(&op("items = \"/i\", sku = \"/s\""));
    assert!(
        e.problem.contains("missing field `quantity`"),
        "{}",
        e.problem
    );
    // A field of another operation is not one of this one's.
    let e = err_of(&op(
        "items = \"/i\", sku = \"/s\", quantity = \"/q\", order_id = \"/id\"",
    ));
    assert!(
        e.problem.contains("unknown field `order_id`"),
        "{}",
        e.problem
    );
}
