use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use kiosk::warehouse::server::{self, ServerOptions};

use super::{CliResult, invalid};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the reference central warehouse (HTTP API in docs/warehouse-api.yaml).
    Serve(Box<ServeArgs>),
    /// Stores' bearer tokens: add, revoke, list. The database keeps only their SHA-256.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The chain's stores, where shoppers can pick up what another store holds.
    #[command(subcommand)]
    Stores(StoresCommand),
    /// Every kiosk that reported: last heartbeat, last sync, orders waiting, camera, problems;
    /// stale ones marked. Exit 1 when any is stale or not ok (for monitoring).
    Fleet {
        /// The warehouse's database: a SQLite file path or a postgres:// URL.
        #[arg(long, env = "KIOSK_WAREHOUSE_DB")]
        db: String,
        /// A kiosk silent for longer is stale (seconds; kiosks report every 60).
        #[arg(long, default_value_t = 300)]
        stale_after_s: u64,
        #[arg(long)]
        json: bool,
    },
    /// The chain's lost sales: every size shoppers asked for that their store did not have,
    /// by style, size and store, and where each was asked for most (from the kiosks' finished
    /// days). Prints the top; `--out DIR` writes CSV files and SVG charts.
    Report(ReportArgs),
}

/// `kiosk warehouse report`: the chain's lost sales from every kiosk's finished days.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The warehouse's database: a SQLite file path or a postgres:// URL.
    #[arg(long, env = "KIOSK_WAREHOUSE_DB")]
    db: String,
    #[command(flatten)]
    period: super::report::PeriodArgs,
    /// Write lost_sales.csv, where_asked.csv, stores.csv and the charts (SVG) into DIR.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Lines of the table printed (most asked first).
    #[arg(long, default_value_t = 20)]
    top: usize,
}

#[derive(Debug, clap::Subcommand)]
pub enum StoresCommand {
    /// Add or change stores from a CSV file: store_id,name,address,latitude,longitude (degrees;
    /// may be empty). All rows or none; a bad row is named by its line.
    Import {
        file: PathBuf,
        /// The warehouse's database: a SQLite file path or a postgres:// URL.
        #[arg(long, env = "KIOSK_WAREHOUSE_DB")]
        db: String,
    },
    /// The stores the warehouse knows.
    List {
        /// The warehouse's database: a SQLite file path or a postgres:// URL.
        #[arg(long, env = "KIOSK_WAREHOUSE_DB")]
        db: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8700")]
    listen: SocketAddr,
    /// The warehouse's database: a SQLite file (created if missing), e.g.
    /// /var/lib/kiosk/warehouse.sqlite3, or a PostgreSQL URL, e.g.
    /// postgres://kiosk@db.example/warehouse (several servers may share one; the schema is
    /// created or upgraded at start). From $KIOSK_WAREHOUSE_DB when not given, which keeps a
    /// password out of `ps`.
    #[arg(long, env = "KIOSK_WAREHOUSE_DB")]
    db: String,
    /// Demo data loaded when the database is empty; "" for none.
    // A String, not a PathBuf: clap refuses an empty path, and "" is how "none" is said.
    #[arg(long, default_value = "fixtures")]
    fixtures: String,
    /// A file of tokens, one STORE=TOKEN per line (# comments allowed). Together with
    /// $KIOSK_WAREHOUSE_TOKEN (for the store --store) it is the whole set of startup tokens:
    /// a token given at the last start and not now stops working. Tokens added with
    /// `kiosk warehouse token add` are kept until revoked. Tokens are never read from the
    /// command line, where `ps` would show them.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// The store the demo stock belongs to, and the owner of $KIOSK_WAREHOUSE_TOKEN.
    #[arg(long, default_value = "demo-store-001")]
    store: String,
    /// Requests per second allowed per token before 429.
    #[arg(long, default_value_t = 200)]
    rate: u32,
    /// Requests a token may burst before the rate applies.
    #[arg(long, default_value_t = 400)]
    burst: u32,
    /// Failed authentications allowed per client address per minute before 429.
    #[arg(long, default_value_t = 30)]
    auth_failures_per_minute: u32,
    /// Seconds a client has to send a request's headers (also the idle keep-alive limit).
    #[arg(long, default_value_t = 10)]
    header_timeout_s: u64,
    /// Connections open at once, in all (more wait in the backlog).
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Connections open at once from one address (more are closed).
    #[arg(long, default_value_t = 64)]
    max_connections_per_ip: usize,
    /// Days an order's shipping address and contact are kept, then deleted (1-3650).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    shopper_retention_days: u32,
    /// Hours a pair reserved for pick-up at a store is held before it goes back on the shelf
    /// (1-720).
    #[arg(long, default_value_t = server::store::DEFAULT_PICKUP_HOLD_HOURS, value_parser = clap::value_parser!(u32).range(1..=720))]
    pickup_hold_hours: u32,
    /// The chain's mailer: when a size a shopper asked to hear about is back, a JSON POST with
    /// their address goes here (then the request is deleted). Without it the requests wait in
    /// the database for a mailer that reads them.
    #[arg(long, value_name = "URL")]
    mailer_webhook: Option<url::Url>,
    /// Days a back-in-stock request (and its address) is kept at most (1-365).
    #[arg(long, default_value_t = server::store::DEFAULT_STOCK_ALERT_DAYS, value_parser = clap::value_parser!(u32).range(1..=365))]
    stock_alert_days: u32,
    /// Generate a catalog of this many variants instead of loading fixtures (benchmarks).
    #[arg(long)]
    generate: Option<u64>,
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Make a new random token for STORE, register it and print it once.
    Add {
        store: String,
        /// The warehouse's database: a SQLite file path or a postgres:// URL.
        #[arg(long, env = "KIOSK_WAREHOUSE_DB")]
        db: String,
        /// Register the token read from standard input instead of making one.
        #[arg(long)]
        stdin: bool,
    },
    /// Revoke a token by its id (from `list`): it stops working at once, even for a running
    /// server.
    Revoke {
        id: String,
        /// The warehouse's database: a SQLite file path or a postgres:// URL.
        #[arg(long, env = "KIOSK_WAREHOUSE_DB")]
        db: String,
    },
    /// The registered tokens: id, store, where they came from, created, last used.
    List {
        /// The warehouse's database: a SQLite file path or a postgres:// URL.
        #[arg(long, env = "KIOSK_WAREHOUSE_DB")]
        db: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Serve(args) => serve(*args),
        Command::Token(command) => token(command),
        Command::Stores(command) => stores(command),
        Command::Fleet {
            db,
            stale_after_s,
            json,
        } => fleet(&db, stale_after_s, json),
        Command::Report(args) => report(&args),
    }
}

fn report(args: &ReportArgs) -> CliResult {
    let period = args.period.period(jiff::Zoned::now().date())?;
    let (from, to) = (period.from, period.to);
    let warehouse = open(&args.db)?;
    let report = warehouse.chain_report(&from.to_string(), &to.to_string())?;
    println!(
        "{} to {}: {} size(s) asked for that the store did not have, in {} store(s) reporting",
        report.from,
        report.to,
        report.total_lost(),
        report.stores.len()
    );
    let rows = report.where_asked();
    if !rows.is_empty() {
        let mut table = comfy_table::Table::new();
        table
            .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
            .set_header(["style", "size", "asked", "stores", "asked most at", "share"]);
        for w in rows.iter().take(args.top) {
            let style = if w.name.is_empty() {
                w.style_code.clone()
            } else {
                format!("{} ({})", w.name, w.style_code)
            };
            table.add_row([
                style,
                kiosk::domain::analytics::size_label(w.size_mm),
                w.asked.to_string(),
                w.stores.to_string(),
                format!("{} ({})", w.top_store, w.top_store_asked),
                format!("{:.0} %", w.top_store_share * 100.0),
            ]);
        }
        println!("{table}");
    }
    if let Some(dir) = &args.out {
        let files = report.write(dir)?;
        for f in files {
            println!("wrote {}", f.display());
        }
    }
    Ok(())
}

/// The warehouse's database at `db` (created if missing), named in the error when it cannot be.
fn open(db: &str) -> anyhow::Result<server::WarehouseStore> {
    server::WarehouseStore::open_location(db)
        .with_context(|| format!("opening {}", server::store::shown(db)))
}

fn fleet(db: &str, stale_after_s: u64, json: bool) -> CliResult {
    let warehouse = open(db)?;
    let fleet = warehouse.fleet(std::time::Duration::from_secs(stale_after_s))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&fleet)?);
    } else if fleet.is_empty() {
        println!("no kiosk has reported yet");
    } else {
        let mut table = comfy_table::Table::new();
        table
            .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
            .set_header([
                "store",
                "kiosk",
                "last heartbeat",
                "last sync",
                "orders waiting",
                "camera",
                "state",
            ]);
        for k in &fleet {
            let state = match (k.stale, k.heartbeat.ok) {
                (true, _) => format!("STALE: silent {} s", k.age_s),
                (false, true) => "ok".to_owned(),
                (false, false) => k.heartbeat.problems.join("; "),
            };
            table.add_row([
                k.store_id.clone(),
                k.kiosk_id.clone(),
                format!("{} ({} s ago)", k.received_at, k.age_s),
                k.heartbeat
                    .last_sync_at
                    .clone()
                    .unwrap_or_else(|| "never".into()),
                k.heartbeat.outbox_pending.to_string(),
                k.heartbeat.camera.clone(),
                state,
            ]);
        }
        println!("{table}");
    }
    if fleet.iter().any(|k| k.stale || !k.heartbeat.ok) {
        return Err(super::Failure {
            code: 1,
            error: anyhow::anyhow!("some kiosks are stale or report problems"),
        });
    }
    Ok(())
}

fn stores(command: StoresCommand) -> CliResult {
    match command {
        StoresCommand::Import { file, db } => {
            let warehouse = open(&db)?;
            let n = warehouse
                .import_stores_csv(&file)
                .map_err(|e| invalid(anyhow::anyhow!(e)))?;
            println!("{n} store(s) added or changed");
            Ok(())
        }
        StoresCommand::List { db, json } => {
            let warehouse = open(&db)?;
            let stores = warehouse.stores()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stores)?);
                return Ok(());
            }
            let mut table = comfy_table::Table::new();
            table
                .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
                .set_header(["id", "name", "address", "position"]);
            for s in stores {
                let position = s.position().map_or_else(
                    || "not placed".to_owned(),
                    |p| format!("{:.5}, {:.5}", p.latitude, p.longitude),
                );
                table.add_row([s.store_id, s.name, s.address, position]);
            }
            println!("{table}");
            Ok(())
        }
    }
}

fn token(command: TokenCommand) -> CliResult {
    match command {
        TokenCommand::Add { store, db, stdin } => {
            if !(1..=64).contains(&store.len())
                || !store
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(invalid(anyhow::anyhow!(
                    "store {store:?}: 1-64 letters, digits, '-' or '_'"
                )));
            }
            let token = if stdin {
                std::io::read_to_string(std::io::stdin())
                    .context("reading the token from standard input")?
                    .trim()
                    .to_owned()
            } else {
                random_token()
            };
            let warehouse = open(&db)?;
            let id = warehouse
                .add_token(&token, &store)
                .map_err(|e| invalid(anyhow::anyhow!(e)))?;
            if stdin {
                println!("token {id} registered for store {store}");
            } else {
                super::note(&format!(
                    "token {id} for store {store} (shown once; the database keeps only its hash):"
                ));
                println!("{token}");
            }
            Ok(())
        }
        TokenCommand::Revoke { id, db } => {
            let warehouse = open(&db)?;
            if warehouse.revoke_token(&id)? {
                println!("token {id} revoked");
                Ok(())
            } else {
                Err(invalid(anyhow::anyhow!(
                    "no token {id}; `kiosk warehouse token list --db {}` shows them",
                    server::store::shown(&db)
                )))
            }
        }
        TokenCommand::List { db, json } => {
            let warehouse = open(&db)?;
            let tokens = warehouse.tokens()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&tokens)?);
                return Ok(());
            }
            let mut table = comfy_table::Table::new();
            table
                .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
                .set_header(["id", "store", "from", "created", "last used"]);
            for t in tokens {
                table.add_row([
                    t.id,
                    t.store_id,
                    t.source,
                    t.created_at,
                    t.last_used_at.unwrap_or_else(|| "never".into()),
                ]);
            }
            println!("{table}");
            Ok(())
        }
    }
}

/// 32 random bytes as 64 hex digits.
fn random_token() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("{a}{b}")
}

/// STORE=TOKEN lines; `#` starts a comment. Errors name the line, never the token.
fn read_token_file(path: &std::path::Path) -> Result<Vec<(String, String)>, super::Failure> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut tokens = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (store, token) = line
            .split_once('=')
            .map(|(s, t)| (s.trim(), t.trim()))
            .filter(|(s, t)| !s.is_empty() && !t.is_empty())
            .ok_or_else(|| {
                invalid(anyhow::anyhow!(
                    "{}:{}: write it as STORE=TOKEN",
                    path.display(),
                    i + 1
                ))
            })?;
        tokens.push((store.to_owned(), token.to_owned()));
    }
    Ok(tokens)
}

fn serve(args: ServeArgs) -> CliResult {
    let mut tokens = match &args.token_file {
        Some(path) => read_token_file(path)?,
        None => Vec::new(),
    };
    if let Ok(token) = std::env::var("KIOSK_WAREHOUSE_TOKEN")
        && !token.trim().is_empty()
    {
        tokens.push((args.store.clone(), token.trim().to_owned()));
    }
    let store = open(&args.db)?
        .with_pickup_hold_hours(args.pickup_hold_hours)
        .with_stock_alert_days(args.stock_alert_days);
    if store.is_empty()? {
        if let Some(n) = args.generate {
            super::note(&format!("generating {n} variants…"));
            kiosk::devtools::warehouse_data::seed_generated(&store, n, &args.store)?;
        } else if !args.fixtures.is_empty() {
            store
                .seed_from_fixtures(std::path::Path::new(&args.fixtures), &args.store)
                .context("loading the demo fixtures")?;
        }
    }
    if args.generate.is_none() && !args.fixtures.is_empty() {
        store
            .seed_chain_from_fixtures(std::path::Path::new(&args.fixtures), &args.store)
            .context("loading the demo chain's stores")?;
    }
    store
        .replace_tokens(server::store::TokenSource::Startup, &tokens)
        .map_err(|e| invalid(anyhow::anyhow!("startup tokens: {e}")))?;
    if store.tokens()?.is_empty() {
        return Err(invalid(anyhow::anyhow!(
            "no token: set KIOSK_WAREHOUSE_TOKEN, give --token-file, or `kiosk warehouse token add STORE --db {}`; otherwise no kiosk can connect",
            server::store::shown(&args.db)
        )));
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let options = ServerOptions {
            rate_per_second: args.rate,
            burst: args.burst,
            auth_failures_per_minute: args.auth_failures_per_minute,
            limits: server::ConnectionLimits {
                header_timeout: std::time::Duration::from_secs(args.header_timeout_s.max(1)),
                max_connections: args.max_connections.max(1),
                max_connections_per_ip: args.max_connections_per_ip.max(1),
            },
            shopper_retention_days: args.shopper_retention_days,
            mailer_webhook: args.mailer_webhook.clone(),
        };
        let handle = server::spawn(listener, store, &options)?;
        super::note(&format!(
            "reference warehouse on http://{} (API: /v1/openapi.yaml); Ctrl-C stops it",
            handle.addr
        ));
        // Under systemd (Type=notify, WatchdogSec=): ready now, then heartbeats.
        kiosk::runtime::health::notify_ready();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let watchdog = tokio::spawn(kiosk::runtime::health::run_watchdog(stopped));
        let terminated = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => {
                    term.recv().await;
                }
                Err(_) => std::future::pending().await,
            }
        };
        tokio::select! {
            ctrl_c = tokio::signal::ctrl_c() => ctrl_c.context("waiting for Ctrl-C")?,
            () = terminated => {}
        }
        let _ = stop.send(true);
        let _ = watchdog.await;
        handle.shutdown().await;
        Ok::<(), anyhow::Error>(())
    })?;
    Ok(())
}
