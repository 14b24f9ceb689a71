//! `kiosk config check`: everything the kiosk needs from this machine, one green or red line
//! each with the fix — the file, its secrets, the database, the pictures, the camera, the
//! warehouse's read-only operations. Exit 0 when all is green, 1 when something is red, 2 when
//! the file itself is invalid.

use std::time::Instant;

use console::style;
use kiosk::config::{LoadedConfig, SecretSource, WarehouseMode, read_secret};
use kiosk::warehouse::connect;

use super::{CliResult, Failure, invalid};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also print the effective configuration (defaults filled in, secrets not included).
    #[arg(long)]
    print: bool,
    /// Check the file only: not the secrets, database, camera or warehouse (a build machine).
    #[arg(long)]
    only_file: bool,
}

/// The lines printed so far and whether any was red.
#[derive(Default)]
struct Report {
    red: usize,
}

impl Report {
    fn green(&mut self, what: &str, detail: impl std::fmt::Display) {
        println!("{} {what}: {detail}", style("✓").green().bold());
    }

    /// Neither good nor bad: something not configured, or not checked, said as such.
    fn skip(&mut self, what: &str, detail: impl std::fmt::Display) {
        println!("{} {what}: {detail}", style("–").dim().bold());
    }

    fn red(&mut self, what: &str, problem: impl std::fmt::Display, fix: impl std::fmt::Display) {
        self.red += 1;
        println!("{} {what}: {problem}", style("✗").red().bold());
        println!("    fix: {fix}");
    }
}

pub fn run(config_path: Option<&std::path::Path>, args: Args) -> CliResult {
    let loaded = match kiosk::checks::load(config_path) {
        Ok(loaded) => loaded,
        Err(e) => {
            println!("{} config file: {e}", style("✗").red().bold());
            return Err(Failure {
                code: 2,
                error: anyhow::anyhow!("the config file is invalid"),
            });
        }
    };
    let mut report = Report::default();
    match &loaded.source {
        Some(path) => report.green("config file", format!("{} is valid", path.display())),
        None => report.green("config file", "none found; the built-in defaults are valid"),
    }
    if args.print {
        print!(
            "{}",
            toml::to_string_pretty(&loaded.config).map_err(invalid)?
        );
    }
    if !args.only_file {
        secrets(&loaded, &mut report);
        database(&loaded, &mut report);
        assets(&loaded, &mut report);
        camera(&loaded, &mut report);
        let runtime = tokio::runtime::Runtime::new().map_err(invalid)?;
        runtime.block_on(warehouse(&loaded, &mut report));
    }
    if report.red > 0 {
        return Err(Failure {
            code: 1,
            error: anyhow::anyhow!("{} check(s) failed", report.red),
        });
    }
    Ok(())
}

fn secrets(loaded: &LoadedConfig, report: &mut Report) {
    let c = &loaded.config;
    if c.warehouse.mode != WarehouseMode::Embedded {
        let source = SecretSource::new(
            &c.warehouse.token_env,
            &loaded.resolve(&c.warehouse.token_file),
        );
        match read_secret(&source) {
            Ok(Some(_)) => report.green("warehouse token", format!("set ({})", where_(&source))),
            Ok(None) => report.red(
                "warehouse token",
                format!("not set ({})", where_(&source)),
                "put the store's token in that environment variable or file",
            ),
            Err(e) => report.red("warehouse token", e, "make the file readable by the kiosk"),
        }
    } else {
        report.green("warehouse token", "not needed (embedded warehouse)");
    }
    match kiosk::domain::pin::configured_hash(&c.manager, &loaded.base_dir()) {
        Ok(hash) => match kiosk::domain::pin::verify_pin("0000", &hash) {
            Ok(_) => report.green("manager PIN", "an Argon2 hash is set"),
            Err(e) => report.red("manager PIN", e, "run `kiosk manager set-pin`"),
        },
        Err(e) => report.red("manager PIN", e, "run `kiosk manager set-pin`"),
    }
}

fn where_(source: &SecretSource) -> String {
    match source {
        SecretSource::Env(var) => format!("${var}"),
        SecretSource::File(path) => path.display().to_string(),
        SecretSource::None => "no source configured".into(),
    }
}

fn database(loaded: &LoadedConfig, report: &mut Report) {
    let path = loaded.database_path();
    if !path.exists() {
        // A check creates nothing: say what the first start will do.
        // The kiosk creates missing folders: what matters is the nearest one that exists.
        let existing = path
            .ancestors()
            .skip(1)
            .find(|a| a.as_os_str().is_empty() || a.exists());
        let writable = existing.is_none_or(|f| {
            f.as_os_str().is_empty()
                || std::fs::metadata(f).is_ok_and(|m| !m.permissions().readonly())
        });
        match (loaded.fixtures_dir(), writable) {
            (_, false) => report.red(
                "database",
                format!(
                    "{} does not exist and cannot be created there",
                    path.display()
                ),
                "create the folder for the kiosk user, or change [database] path",
            ),
            (Some(fixtures), true) => report.green(
                "database",
                format!(
                    "{} will be built from the demo data in {} at first start",
                    path.display(),
                    fixtures.display()
                ),
            ),
            (None, true) => report.green(
                "database",
                format!(
                    "{} will be created empty at first start; sync fills it",
                    path.display()
                ),
            ),
        }
        return;
    }
    match kiosk::db::Database::open(&path) {
        Ok(db) => match db.stats() {
            Ok(s) => report.green(
                "database",
                format!(
                    "{} opens, integrity ok, schema v{}, {} styles, {} sizes, {} orders waiting",
                    path.display(),
                    s.schema_version,
                    s.styles,
                    s.variants,
                    s.pending_orders
                ),
            ),
            Err(e) => report.red("database", e, "run `kiosk db check` for details"),
        },
        Err(e) => report.red(
            "database",
            e,
            "check [database] path (and that the kiosk user may write its folder)",
        ),
    }
}

fn assets(loaded: &LoadedConfig, report: &mut Report) {
    let dir = loaded.resolve(&loaded.config.ui.assets_dir);
    let pictures = std::fs::read_dir(dir.join("styles"))
        .map(|entries| entries.flatten().count())
        .unwrap_or(0);
    if pictures > 0 {
        report.green(
            "pictures",
            format!("{pictures} in {}", dir.join("styles").display()),
        );
    } else {
        report.red(
            "pictures",
            format!("no product pictures in {}", dir.join("styles").display()),
            "set [ui] assets_dir to the folder with styles/ (installed: /usr/share/kiosk/assets)",
        );
    }
}

fn camera(loaded: &LoadedConfig, report: &mut Report) {
    let c = &loaded.config.camera;
    if !c.enabled {
        report.green("camera", "switched off ([camera] enabled = false)");
        return;
    }
    match kiosk::camera::SourceSpec::resolve(&c.source, &loaded.base_dir()) {
        kiosk::camera::SourceSpec::Replay(dir) => match kiosk::camera::picture_files(&dir) {
            Ok(files) if !files.is_empty() => report.green(
                "camera",
                format!("replay of {} pictures from {}", files.len(), dir.display()),
            ),
            Ok(_) => report.red(
                "camera",
                format!("no pictures in {}", dir.display()),
                "put PNG/JPEG frames there or use source = \"device\"",
            ),
            Err(e) => report.red(
                "camera",
                format!("{}: {e}", dir.display()),
                "check [camera] source",
            ),
        },
        kiosk::camera::SourceSpec::Device => device_camera(c.device, report),
    }
}

#[cfg(feature = "camera")]
fn device_camera(index: u32, report: &mut Report) {
    match kiosk::camera::device::list() {
        Ok(cameras) => match cameras.get(index as usize) {
            Some((_, name, _)) => report.green("camera", format!("{index}: {name}")),
            None => report.red(
                "camera",
                format!("no camera at index {index} ({} found)", cameras.len()),
                "plug the camera in, or set [camera] device (`kiosk camera list`); the keypad \
                 and a wedge scanner work without one",
            ),
        },
        Err(e) => report.red(
            "camera",
            e,
            "check the camera's cable and that the kiosk user is in the `video` group",
        ),
    }
}

#[cfg(not(feature = "camera"))]
fn device_camera(_index: u32, report: &mut Report) {
    report.red(
        "camera",
        "this build has no camera support",
        "build with the `camera` feature, or set [camera] enabled = false",
    );
}

/// Calls each read-only operation once: catalog changes, stock changes, availability.
async fn warehouse(loaded: &LoadedConfig, report: &mut Report) {
    let c = &loaded.config;
    let connection = match connect::connect(loaded).await {
        Ok(connection) => connection,
        Err(
            e @ connect::ConnectError::Mapping(
                kiosk::warehouse::mapped::MappingConfigError::SkuMap { .. },
            ),
        ) => {
            report.red(
                "warehouse SKU map",
                e,
                "check the file [warehouse.mapped] sku_map names (relative to this config's \
                 folder): it must exist and hold a `gtin,sku` header and one line per size",
            );
            return;
        }
        Err(e) => {
            report.red("warehouse", e, "check [warehouse] url and token");
            return;
        }
    };
    let client = &connection.client;
    let fix = match c.warehouse.mode {
        WarehouseMode::Embedded => "check [warehouse] embedded_db and [database] demo_fixtures",
        WarehouseMode::Remote => {
            "check [warehouse] url, the token, and that this machine reaches the warehouse"
        }
        WarehouseMode::Mapped => {
            "check [warehouse] url, the token and [warehouse.mapped] (the error names the field)"
        }
    };
    let started = Instant::now();
    let mut sample = None;
    let mapped = &c.warehouse.mapped;
    if c.warehouse.mode == WarehouseMode::Mapped {
        report.skip(
            "warehouse catalog",
            "not part of a mapped API: the catalog comes from `kiosk import-catalog`",
        );
        match &mapped.create_order {
            None => report.skip(
                "warehouse orders",
                "[warehouse.mapped.create_order] is not configured: shoppers cannot order \
                 sizes shipped home",
            ),
            Some(_) => report.skip(
                "warehouse orders",
                match mapped.order_idempotency() {
                    kiosk::config::Idempotency::Key => {
                        "configured, with the idempotency key (not called: it would place an order)"
                    }
                    kiosk::config::Idempotency::None => {
                        "configured, idempotency = \"none\": an order whose fate is unknown \
                         waits for a manager (not called: it would place an order)"
                    }
                },
            ),
        }
        report.skip(
            "back-in-stock e-mails",
            "not part of a mapped API: a size sold out everywhere offers shoes like it only",
        );
        report.skip(
            "other stores' stock",
            "not part of a mapped API: a size this store lacks is offered from the warehouse \
             only, never for picking up at another store",
        );
        report.skip(
            "chain analytics and fleet health",
            "not part of a mapped API: the kiosk's finished days and heartbeats stay on the \
             kiosk (`kiosk report`, GET /health); the chain's report and fleet list need the \
             reference warehouse protocol",
        );
        if mapped.order_status.is_none() {
            report.skip(
                "warehouse order status",
                "[warehouse.mapped.order_status] is not configured",
            );
        }
        // Ask availability for a size the kiosk's own catalog has.
        sample = kiosk::db::Database::open(&loaded.database_path())
            .ok()
            .and_then(|db| {
                db.conn()
                    .query_row("SELECT gtin FROM variants LIMIT 1", [], |r| {
                        r.get::<_, i64>(0)
                    })
                    .ok()
            })
            .and_then(kiosk::domain::barcode::Gtin::from_stored)
            .map(|g| g.to_string());
    } else {
        // The first changes are styles; a page of 50 holds a size to ask availability for.
        match client.catalog_changes("", 50).await {
            Ok(page) => {
                sample = page.variants.first().map(|v| v.gtin.clone());
                report.green(
                    "warehouse catalog changes",
                    format!("{} ms", started.elapsed().as_millis()),
                );
            }
            Err(e) => report.red("warehouse catalog changes", e, fix),
        }
    }
    let started = Instant::now();
    if c.warehouse.mode == WarehouseMode::Mapped && mapped.stock_changes.is_none() {
        report.skip(
            "warehouse stock changes",
            "[warehouse.mapped.stock_changes] is not configured: the store's stock comes from \
             the POS import only",
        );
    } else {
        match client.stock_changes(&c.store.id, "", 1).await {
            Ok(_) => report.green(
                "warehouse stock changes",
                format!("store {}, {} ms", c.store.id, started.elapsed().as_millis()),
            ),
            Err(e) => report.red("warehouse stock changes", e, fix),
        }
    }
    let Some(gtin) = sample else {
        return;
    };
    let started = Instant::now();
    match client.availability(vec![gtin.clone()]).await {
        Ok(answer) => report.green(
            "warehouse availability",
            format!(
                "GTIN {gtin}, {} ms; {} other store(s) named with it",
                started.elapsed().as_millis(),
                answer.items.first().map_or(0, |i| i.stores.len())
            ),
        ),
        Err(e) => report.red("warehouse availability", e, fix),
    }
}
