//! Command-line interface. Each command is a module; exit codes are shared:
//! 0 success, 1 failure (I/O, database, config), 2 invalid input (a barcode, CSV rows, a
//! config file), 3 unknown product.

mod config_check;
mod db_check;
mod decode;
mod import;
mod lookup;
mod manager;
mod orders;
mod pickups;
mod report;
mod sync;
mod warehouse;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kiosk::config::{self, LoadedConfig};
use kiosk::db::{Check, Database};

#[derive(Debug, Parser)]
#[command(
    name = "kiosk",
    version,
    about = "Endless-aisle shoe kiosk: scan a display shoe, see every size, ship the missing one home.",
    long_about = "Endless-aisle shoe kiosk: scan a display shoe, see every size and where it is, and \
                  order a size this store lacks from the central warehouse.\n\n\
                  Exit codes: 0 success, 1 failure, 2 invalid input, 3 unknown product."
)]
struct Cli {
    /// Config file. Default: $KIOSK_CONFIG, else ./kiosk.toml, else built-in defaults.
    #[arg(long, global = true, env = config::CONFIG_ENV, value_name = "PATH")]
    config: Option<PathBuf>,

    /// Log more (-v info, -vv debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    /// Log format: `text` for people, `json` (one object per line) for log collectors.
    /// Logs never hold shopper data.
    #[arg(long, global = true, env = "KIOSK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the kiosk: the window (the default with no command), or with `--headless` only what
    /// runs behind it — database, warehouse connection, sync, order sender, health — until
    /// SIGINT or SIGTERM.
    Run(RunArgs),
    /// Show the size grid of the style a barcode belongs to, with this store's stock.
    Lookup(lookup::Args),
    /// Import the store's stock export (CSV: gtin,quantity[,updated_at]) from the POS.
    ImportStock(import::Args),
    /// Add or update the catalog from DIR/styles.csv and DIR/variants.csv (the format of
    /// fixtures/): all or nothing. The catalog source for a mapped warehouse.
    ImportCatalog {
        /// Folder holding styles.csv and variants.csv.
        dir: PathBuf,
    },
    /// Read barcodes from image files (PNG, JPEG) and show the GTIN each carries, under the
    /// camera's rules for a product the store does not sell (no catalog is consulted: a 1D
    /// read needs two other agreeing scan lines).
    Decode(decode::Args),
    /// Draw a barcode into a PNG file (for shelf tags, demos and camera tests).
    DrawBarcode(decode::DrawArgs),
    /// Database maintenance.
    #[command(subcommand)]
    Db(DbCommand),
    /// Configuration file tools.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Pull catalog and this store's stock changes from the warehouse.
    Sync(sync::Args),
    /// Dropship orders in the outbox.
    #[command(subcommand)]
    Orders(orders::Command),
    /// This store's pick-up counter: pairs held here for shoppers from other stores' kiosks,
    /// parcels shipped here, and "collected".
    #[command(subcommand)]
    Pickups(pickups::Command),
    /// The reference central warehouse.
    #[command(subcommand)]
    Warehouse(warehouse::Command),
    /// Cameras.
    #[command(subcommand)]
    Camera(CameraCommand),
    /// Shopper analytics: scans, funnel, outcomes and lost sales, as tables, CSV or charts.
    Report(report::Args),
    /// Store manager tools.
    #[command(subcommand)]
    Manager(manager::Command),
    /// Generate the large data sets the benchmarks use (not committed to the repo).
    BenchData(BenchDataArgs),
}

impl Command {
    /// Whether this runs until stopped (a server) rather than doing one job.
    fn runs_for_long(&self) -> bool {
        matches!(
            self,
            Self::Warehouse(warehouse::Command::Serve(_)) | Self::Run(_)
        )
    }
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// No window: the kiosk's services only (a store back-office machine, tests).
    #[arg(long)]
    headless: bool,
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Integrity, schema version, row counts and the last sync of every feed.
    Check(db_check::Args),
}

#[derive(Debug, Subcommand)]
enum CameraCommand {
    /// The cameras this machine has, with the formats each offers.
    List,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Check the config file, its secrets, the database, the pictures, the camera and the
    /// warehouse's read-only operations: a green or red line each, with the fix.
    Check(config_check::Args),
}

#[derive(Debug, clap::Args)]
struct BenchDataArgs {
    /// Number of variants (sizes) in the generated catalog and stock file.
    #[arg(long, default_value_t = 1_000_000)]
    variants: u64,
    /// Output folder: catalog.sqlite3 and stock.csv are written there.
    #[arg(long, default_value = "bench-data")]
    out: PathBuf,
    /// Instead, write the barcode accuracy corpus (pictures + expected GTINs) to this folder.
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,
}

/// A failure with the exit code it maps to.
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Self {
            code: 1,
            error: error.into(),
        }
    }
}

pub fn invalid(error: impl Into<anyhow::Error>) -> Failure {
    Failure {
        code: 2,
        error: error.into(),
    }
}

pub type CliResult = Result<(), Failure>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Set once at start: with JSON logs, the program's own notes and errors on stderr are log
/// events too, so a log collector reads nothing but JSON lines.
static JSON_LOGS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// A note for the person (or collector) watching stderr.
pub fn note(text: &str) {
    if JSON_LOGS.get().copied().unwrap_or(false) {
        tracing::warn!(target: "kiosk::note", "{text}");
    } else {
        eprintln!("{text}");
    }
}

/// An error that ends the command, said the same way.
fn report_error(text: &str) {
    if JSON_LOGS.get().copied().unwrap_or(false) {
        tracing::error!(target: "kiosk::note", "{text}");
    } else {
        eprintln!("error: {text}");
    }
}

fn init_tracing(verbose: u8, format: LogFormat) {
    let _ = JSON_LOGS.set(format == LogFormat::Json);
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The store tools end quietly when their reader goes away (`kiosk lookup … | head`), as
    // Unix tools do, instead of panicking on a broken pipe. Not the kiosk window or the
    // server: they must outlive any one reader.
    if cli.command.as_ref().is_some_and(|c| !c.runs_for_long()) {
        sigpipe::reset();
    }
    // A server shows its request log (method, path, status, latency) by default.
    let serving = matches!(cli.command, Some(Command::Warehouse(_)));
    init_tracing(cli.verbose.max(u8::from(serving)), cli.log_format);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure { code, error }) => {
            report_error(&format!("{error:#}"));
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> CliResult {
    let config_path = cli.config.clone();
    let load = || -> Result<LoadedConfig, Failure> {
        kiosk::checks::load(config_path.as_deref()).map_err(invalid)
    };
    let Some(command) = cli.command else {
        return kiosk_window(kiosk::checks::load(config_path.as_deref()));
    };
    match command {
        Command::Run(RunArgs { headless: false }) => {
            kiosk_window(kiosk::checks::load(config_path.as_deref()))
        }
        Command::Run(RunArgs { headless: true }) => headless(load()?),
        Command::Lookup(args) => lookup::run(&load()?, args),
        Command::ImportStock(args) => import::run(&load()?, args),
        Command::ImportCatalog { dir } => {
            let mut db = open_database(&load()?, Check::Quick)?;
            let (styles, sizes) =
                kiosk::domain::seed::import_catalog(&mut db, &dir).map_err(|e| match e {
                    kiosk::domain::seed::SeedError::Db(e) => Failure::from(e),
                    other => invalid(other),
                })?;
            println!("catalog: {styles} styles and {sizes} sizes added or updated");
            Ok(())
        }
        Command::Decode(args) => decode::run(&load()?, args),
        Command::DrawBarcode(args) => decode::draw(args),
        Command::Sync(args) => sync::run(&load()?, args),
        Command::Orders(command) => orders::run(&load()?, command),
        Command::Pickups(command) => pickups::run(&load()?, command),
        Command::Warehouse(command) => warehouse::run(command),
        Command::Report(args) => report::run(&load()?, args),
        Command::Manager(command) => manager::run(&load()?, command),
        Command::Camera(CameraCommand::List) => camera_list(),
        Command::Db(DbCommand::Check(args)) => db_check::run(&load()?, args),
        Command::Config(ConfigCommand::Check(args)) => {
            config_check::run(config_path.as_deref(), args)
        }
        Command::BenchData(args) => {
            if let Some(dir) = &args.corpus {
                let n = kiosk::devtools::corpus::write(dir)
                    .with_context(|| format!("writing {}", dir.display()))?;
                println!("{n} pictures with expected GTINs in {}", dir.display());
                return Ok(());
            }
            let started = std::time::Instant::now();
            let data = kiosk::devtools::bench_data::generate(&args.out, args.variants)?;
            println!(
                "{} variants: {} and {} in {:.1} s",
                data.variants,
                data.database.display(),
                data.stock_csv.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

/// Opens the configured database, checked as `check` says, building it from the demo fixtures
/// on first run.
pub fn open_database(loaded: &LoadedConfig, check: Check) -> Result<Database, Failure> {
    let path = loaded.database_path();
    let fixtures = loaded.fixtures_dir();
    let (db, seeded) = kiosk::domain::seed::open_or_seed(&path, fixtures.as_deref(), check)
        .with_context(|| format!("opening the kiosk database {}", path.display()))?;
    if let Some(report) = seeded {
        note(&format!(
            "built {} from the demo data: {} styles, {} sizes",
            path.display(),
            report.styles,
            report.variants
        ));
    }
    Ok(db)
}

/// `kiosk` with no command: the touchscreen kiosk. A broken config does not stop it: the
/// window shows staff what is wrong (and the error is printed too).
#[cfg(feature = "gui")]
fn kiosk_window(loaded: Result<LoadedConfig, config::ConfigError>) -> CliResult {
    let loaded = loaded.inspect_err(|e| report_error(&e.to_string()));
    let ui = loaded
        .as_ref()
        .map(|l| l.config.ui.clone())
        .unwrap_or_default();
    if std::env::var_os("ICED_BACKEND").is_none()
        && let Some(backend) = kiosk::ui::forced_backend(&ui)
    {
        #[allow(unsafe_code)]
        // SAFETY: no other thread exists yet: iced, tokio and the camera start after this.
        unsafe {
            std::env::set_var("ICED_BACKEND", backend);
        }
    }
    tracing::info!(
        backend = std::env::var("ICED_BACKEND").unwrap_or_else(|_| "auto".into()),
        "renderer"
    );
    kiosk::ui::run(loaded).map_err(|e| anyhow::anyhow!("the kiosk window failed: {e}"))?;
    Ok(())
}

/// The kiosk's services without a window, until SIGINT or SIGTERM.
fn headless(loaded: LoadedConfig) -> CliResult {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime
        .block_on(kiosk::runtime::run_headless(loaded))
        .context("running the kiosk's services")?;
    Ok(())
}

/// Built without the GUI: prepare the demo database and say what the tools are.
#[cfg(not(feature = "gui"))]
fn kiosk_window(loaded: Result<LoadedConfig, config::ConfigError>) -> CliResult {
    demo(&loaded.map_err(invalid)?)
}

#[cfg(not(feature = "gui"))]
fn demo(loaded: &LoadedConfig) -> CliResult {
    let db = open_database(loaded, Check::Full)?;
    let stats = db.stats()?;
    println!(
        "Kiosk database {}: {} styles, {} sizes, stock for {} sizes.",
        db.path().display(),
        stats.styles,
        stats.variants,
        stats.store_stock
    );
    println!("This build has no touchscreen GUI (built without the `gui` feature). Store tools:");
    println!("  kiosk lookup 4012345001013        the size grid of a scanned shoe");
    println!("  kiosk import-stock FILE.csv       load the POS stock export");
    println!("  kiosk --help                      every command");
    Ok(())
}

#[cfg(feature = "camera")]
fn camera_list() -> CliResult {
    let cameras = kiosk::camera::device::list()?;
    if cameras.is_empty() {
        println!("no cameras found");
    }
    for (index, name, formats) in cameras {
        println!("{index}: {name}");
        for f in formats {
            println!("    {f}");
        }
    }
    Ok(())
}

#[cfg(not(feature = "camera"))]
fn camera_list() -> CliResult {
    Err(
        anyhow::anyhow!("this build has no camera support (built without the `camera` feature)")
            .into(),
    )
}
