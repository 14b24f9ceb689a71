use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use kiosk::warehouse::server::{self, ServerOptions};

use super::{CliResult, invalid};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the reference central warehouse (HTTP API in docs/warehouse-api.yaml).
    Serve(ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8700")]
    listen: SocketAddr,
    /// The warehouse's SQLite database (created if missing).
    #[arg(long, default_value = "warehouse.sqlite3")]
    db: PathBuf,
    /// Demo data loaded when the database is empty; "" for none.
    #[arg(long, default_value = "fixtures")]
    fixtures: PathBuf,
    /// A store and its bearer token, as STORE=TOKEN; repeat for more stores. The token may
    /// also come from $KIOSK_WAREHOUSE_TOKEN for the store `--store`.
    #[arg(long = "token", value_name = "STORE=TOKEN")]
    tokens: Vec<String>,
    /// The store the demo stock belongs to, and the owner of $KIOSK_WAREHOUSE_TOKEN.
    #[arg(long, default_value = "demo-store-001")]
    store: String,
    /// Requests per second allowed per token before 429.
    #[arg(long, default_value_t = 200)]
    rate: u32,
    /// Requests a token may burst before the rate applies.
    #[arg(long, default_value_t = 400)]
    burst: u32,
    /// Generate a catalog of this many variants instead of loading fixtures (benchmarks).
    #[arg(long)]
    generate: Option<u64>,
}

pub fn run(command: Command) -> CliResult {
    match command {
        Command::Serve(args) => serve(args),
    }
}

fn serve(args: ServeArgs) -> CliResult {
    let mut tokens = Vec::new();
    for spec in &args.tokens {
        let (store, token) = spec
            .split_once('=')
            .filter(|(s, t)| !s.is_empty() && !t.is_empty())
            .ok_or_else(|| invalid(anyhow::anyhow!("--token {spec:?}: write it as STORE=TOKEN")))?;
        tokens.push((store.to_owned(), token.to_owned()));
    }
    if let Ok(token) = std::env::var("KIOSK_WAREHOUSE_TOKEN")
        && !token.trim().is_empty()
    {
        tokens.push((args.store.clone(), token.trim().to_owned()));
    }
    if tokens.is_empty() {
        return Err(invalid(anyhow::anyhow!(
            "no token: give --token STORE=TOKEN or set KIOSK_WAREHOUSE_TOKEN, or no kiosk can connect"
        )));
    }
    let store = server::WarehouseStore::open(&args.db)
        .with_context(|| format!("opening {}", args.db.display()))?;
    if store.is_empty()? {
        if let Some(n) = args.generate {
            super::note(&format!("generating {n} variants…"));
            store.seed_generated(n, &args.store)?;
        } else if !args.fixtures.as_os_str().is_empty() {
            store
                .seed_from_fixtures(&args.fixtures, &args.store)
                .context("loading the demo fixtures")?;
        }
    }
    for (store_id, token) in &tokens {
        store.add_token(token, store_id)?;
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let options = ServerOptions {
            rate_per_second: args.rate,
            burst: args.burst,
        };
        let handle = server::spawn(listener, store, &options)?;
        super::note(&format!(
            "reference warehouse on http://{} (API: /v1/openapi.yaml); Ctrl-C stops it",
            handle.addr
        ));
        // Under systemd (Type=notify, WatchdogSec=): ready now, then heartbeats.
        kiosk::health::notify_ready();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let watchdog = tokio::spawn(kiosk::health::run_watchdog(stopped));
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
